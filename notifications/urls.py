from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.preferences, name="digest_preferences"),
    path("notifications/teams/<int:team_id>/", views.team_preferences, name="digest_team_preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="digest_unsubscribe"),
]
