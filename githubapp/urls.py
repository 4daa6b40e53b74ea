from django.urls import path

from githubapp import views

app_name = "githubapp"

urlpatterns = [
    path("hooks/github-app/", views.webhook, name="webhook"),
    path("github/", views.installations, name="installations"),
    path("github/connect/", views.connect, name="connect"),
    path("github/setup/", views.setup, name="setup"),
    path("github/installations/<int:pk>/repositories/", views.repositories, name="repositories"),
    path("repositories/<int:pk>/github/", views.repository_settings, name="repository_settings"),
]
