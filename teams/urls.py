from django.urls import path

from teams import views

urlpatterns = [
    path("", views.team_list, name="team_list"),
]
