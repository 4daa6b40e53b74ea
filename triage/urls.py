from django.urls import path

from triage import views

urlpatterns = [
    path("findings/<int:pk>/triage/", views.finding_triage, name="finding_triage"),
    path("audits/<int:pk>/triage/", views.bulk_triage, name="triage_bulk"),
    path("repositories/<int:pk>/ignore-rules/", views.ignore_rules, name="ignore_rules"),
    path("repositories/<int:pk>/ignore-rules/<int:rule_id>/delete/", views.ignore_rule_delete,
         name="ignore_rule_delete"),
]
