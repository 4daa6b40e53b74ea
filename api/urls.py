from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import views, web

urlpatterns = [
    path("", views.api_root, name="api_root"),
    path("projects/", views.project_list, name="api_projects"),
    path("projects/<int:pk>/", views.project_detail, name="api_project"),
    path("projects/<int:pk>/audits/", views.project_audits, name="api_project_audits"),
    path("audits/<int:pk>/", views.audit_detail, name="api_audit"),
    path("audits/<int:pk>/findings/", views.audit_findings, name="api_audit_findings"),
    path("audits/<int:pk>/inventory/", views.audit_inventory, name="api_audit_inventory"),
    path("projects/<int:pk>/ignore-rules/", views.project_ignore_rules, name="api_project_ignore_rules"),
    path("projects/<int:pk>/ignore-rules/<int:rule_id>/", views.project_ignore_rule, name="api_project_ignore_rule"),
    path("findings/<int:pk>/triage/", views.finding_triage, name="api_finding_triage"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", web.docs, name="api_docs"),
    path("docs/interactive/", web.interactive_docs, name="api_docs_interactive"),
]
