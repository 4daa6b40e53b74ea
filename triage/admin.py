from django.contrib import admin

from triage.models import IgnoreRule, TriageDecision, TriageEvent


@admin.register(TriageDecision)
class TriageDecisionAdmin(admin.ModelAdmin):
    list_display = ["repository", "fingerprint", "state", "updated_by", "updated_at"]
    list_filter = ["state"]
    raw_id_fields = ["repository", "updated_by"]


@admin.register(TriageEvent)
class TriageEventAdmin(admin.ModelAdmin):
    list_display = ["repository", "fingerprint", "from_state", "to_state", "user", "created_at"]
    raw_id_fields = ["repository", "finding", "user"]


@admin.register(IgnoreRule)
class IgnoreRuleAdmin(admin.ModelAdmin):
    list_display = ["repository", "rule", "path_glob", "reason", "created_at"]
    raw_id_fields = ["repository", "created_by"]
