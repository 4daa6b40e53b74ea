from django.contrib import admin

from webhooks.models import GitHubDelivery, GitHubWebhook, OutgoingDelivery, OutgoingWebhook


@admin.register(GitHubWebhook)
class GitHubWebhookAdmin(admin.ModelAdmin):
    list_display = ["repository", "key", "created_at"]
    raw_id_fields = ["repository"]


@admin.register(GitHubDelivery)
class GitHubDeliveryAdmin(admin.ModelAdmin):
    list_display = ["hook", "event", "delivery_id", "status", "detail", "received_at"]
    list_filter = ["event", "status"]
    raw_id_fields = ["hook", "audit"]


@admin.register(OutgoingWebhook)
class OutgoingWebhookAdmin(admin.ModelAdmin):
    list_display = ["repository", "url", "active", "created_at"]
    raw_id_fields = ["repository"]


@admin.register(OutgoingDelivery)
class OutgoingDeliveryAdmin(admin.ModelAdmin):
    list_display = ["webhook", "audit", "status", "attempts", "response_status", "error", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["webhook", "audit"]
