from django.urls import path

from gates import views

urlpatterns = [
    path("repositories/<int:pk>/gate/", views.gate_settings, name="gate_settings"),
    path("repositories/<int:pk>/gate/update/", views.gate_update, name="gate_update"),
    path("badges/<int:pk>/<str:token>/gate.svg", views.gate_badge, name="gate_badge"),
    path("api/v1/projects/<int:pk>/gate/", views.api_repository_gate, name="api_repository_gate"),
    path("api/v1/audits/<int:pk>/gate/", views.api_audit_gate, name="api_audit_gate"),
]
