from django.urls import path

from webhooks import views

urlpatterns = [
    path("hooks/github/<uuid:key>/", views.github_webhook, name="github_webhook"),
    path("repositories/<int:pk>/webhooks/", views.webhook_settings, name="webhook_settings"),
    path("repositories/<int:pk>/webhooks/rotate/", views.github_webhook_rotate, name="github_webhook_rotate"),
    path("repositories/<int:pk>/webhooks/outgoing/", views.outgoing_add, name="outgoing_webhook_add"),
    path("repositories/<int:pk>/webhooks/outgoing/<int:hook_id>/delete/", views.outgoing_delete,
         name="outgoing_webhook_delete"),
]
