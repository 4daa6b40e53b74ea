from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import views, web

urlpatterns = [
    path("projects/", views.project_list, name="api_projects"),
    path("projects/<int:pk>/", views.project_detail, name="api_project"),
    path("projects/<int:pk>/audits/", views.project_audits, name="api_project_audits"),
    path("audits/<int:pk>/", views.audit_detail, name="api_audit"),
    path("audits/<int:pk>/findings/", views.audit_findings, name="api_audit_findings"),
    path("audits/<int:pk>/inventory/", views.audit_inventory, name="api_audit_inventory"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", web.docs, name="api_docs"),
]
