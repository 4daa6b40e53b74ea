from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("teams/", include("teams.urls")),
    # Issue 4: schedules, triage, quality gates, webhooks, email digests.
    path("", include("schedules.urls")),
    path("", include("triage.urls")),
    path("", include("gates.urls")),
    path("", include("webhooks.urls")),
    path("", include("notifications.urls")),
    path("", include("githubapp.urls")),
    path("api/v1/", include("api.urls")),
    path("settings/", include("api.settings_urls")),
    path("", include("reports.urls")),
    path("", include("projects.urls")),
]
