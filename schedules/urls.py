from django.urls import path

from schedules import views

urlpatterns = [
    path("repositories/<int:pk>/schedule/", views.schedule_settings, name="schedule_settings"),
]
