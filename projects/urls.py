from django.urls import path

from projects import views

urlpatterns = [
    path("", views.index, name="index"),
    path("repositories/add/", views.repository_add, name="repository_add"),
    path("repositories/<int:pk>/settings/", views.repository_settings, name="repository_settings"),
    path("repositories/<int:pk>/delete/", views.repository_delete, name="repository_delete"),
    path("repositories/<int:pk>/rules/", views.rule_profile, name="rule_profile"),
]
