from django.contrib import admin

from notifications.models import DigestDelivery, DigestSubscription


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "enabled", "frequency", "min_severity", "next_digest_at"]
    list_filter = ["enabled", "frequency"]
    raw_id_fields = ["user", "team"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ["subscription", "key", "status", "attempts", "error", "sent_at"]
    list_filter = ["status"]
    raw_id_fields = ["subscription", "audit"]
