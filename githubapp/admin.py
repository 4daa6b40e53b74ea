from django.contrib import admin

from githubapp.models import AppDelivery, GitHubRepository, Installation, PullRequest, PullRequestAudit


@admin.register(Installation)
class InstallationAdmin(admin.ModelAdmin):
    list_display = ["installation_id", "account_login", "team", "suspended_at", "deleted_at"]
    raw_id_fields = ["team", "bound_by"]


@admin.register(GitHubRepository)
class GitHubRepositoryAdmin(admin.ModelAdmin):
    list_display = ["full_name", "github_id", "installation", "active", "pull_request_comments", "sarif_upload"]
    raw_id_fields = ["repository", "installation"]


@admin.register(AppDelivery)
class AppDeliveryAdmin(admin.ModelAdmin):
    list_display = ["delivery_id", "event", "action", "status", "detail", "received_at"]
    list_filter = ["event", "status"]
    raw_id_fields = ["audit"]


@admin.register(PullRequest)
class PullRequestAdmin(admin.ModelAdmin):
    list_display = ["github_repository", "number", "title", "comment_id"]
    raw_id_fields = ["github_repository"]


@admin.register(PullRequestAudit)
class PullRequestAuditAdmin(admin.ModelAdmin):
    list_display = ["pull_request", "head_sha", "check_state", "conclusion"]
    raw_id_fields = ["audit", "pull_request", "base_audit"]
