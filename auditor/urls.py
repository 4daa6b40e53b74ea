from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("teams/", include("teams.urls")),
    path("api/v1/", include("api.urls")),
    path("settings/", include("api.settings_urls")),
    path("", include("reports.urls")),
    path("", include("projects.urls")),
]
