from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/run/", views.run_audit, name="run_audit"),
    path("projects/<int:pk>/latest/", views.latest_audit, name="latest_audit"),
    path("projects/<int:pk>/history/", views.history, name="history"),
    path("audits/<int:pk>/", views.audit, name="audit"),
    path("audits/<int:pk>/progress/", views.audit_progress, name="audit_progress"),
    path("audits/<int:pk>/schema/", views.schema, name="schema"),
    path("audits/<int:pk>/indexes/", views.index_map, name="index_map"),
    path("audits/<int:pk>/endpoints/", views.endpoints, name="endpoints"),
    path("audits/<int:pk>/export.<str:fmt>", views.export, name="export"),
    path("rules/", views.rules, name="rules"),
]
