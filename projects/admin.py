from django.contrib import admin

from projects.models import Audit, Repository


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    # token_encrypted is not editable and never listed: the admin shows only whether one is set.
    list_display = ("name", "team", "url", "branch", "has_token", "created_at")
    search_fields = ("name", "url", "team__name")
    raw_id_fields = ("team", "created_by")
    readonly_fields = ("last_audit", "locked_until")

    @admin.display(boolean=True)
    def has_token(self, obj: Repository) -> bool:
        return obj.has_token


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ("id", "repository", "state", "trigger", "commit_sha", "created_at", "finished_at", "health_score")
    list_filter = ("state", "trigger")
    search_fields = ("repository__name", "commit_sha")
    raw_id_fields = ("repository", "requested_by", "retry_of", "reused_from")
    readonly_fields = ("stats", "score")
