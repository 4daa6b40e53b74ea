"""The GitHub App's state: installations bound to teams, the repositories connected through them,
the webhook deliveries received, and what was published on each pull request.

No installation token is ever stored: one is minted from the App's key for each fetch or call.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.models import Audit, Repository
from teams.models import Team


class Installation(models.Model):
    """An installation of the App on a GitHub account; `team` once a member bound it."""

    installation_id = models.BigIntegerField(unique=True)
    account_login = models.CharField(max_length=100, blank=True)
    account_type = models.CharField(max_length=20, blank=True)
    team = models.ForeignKey(Team, models.SET_NULL, null=True, blank=True, related_name="github_installations")
    bound_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    suspended_at = models.DateTimeField(null=True, blank=True)
    # Uninstalled on GitHub: its repositories stop auditing and keep their history.
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["account_login", "id"]

    def __str__(self) -> str:
        return f"{self.account_login or 'installation'} ({self.installation_id})"

    @property
    def usable(self) -> bool:
        return self.suspended_at is None and self.deleted_at is None


class GitHubRepository(models.Model):
    """A repository connected through the App; `active` is false once the App lost access."""

    repository = models.OneToOneField(Repository, models.CASCADE, related_name="github")
    installation = models.ForeignKey(Installation, models.CASCADE, related_name="repositories")
    github_id = models.BigIntegerField()
    full_name = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    pull_request_comments = models.BooleanField(
        "summary comment on pull requests", default=True, help_text="One comment per pull request, updated in place."
    )
    sarif_upload = models.BooleanField(
        "upload SARIF to code scanning",
        default=False,
        help_text="Needs the App's security events (write) permission.",
    )

    class Meta:
        ordering = ["full_name", "id"]
        indexes = [models.Index(fields=["github_id"], name="githubrepo_github_id")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def owner(self) -> str:
        return self.full_name.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.full_name.split("/", 1)[1]

    @property
    def html_url(self) -> str:
        return f"{settings.GITHUB_WEB_URL}/{self.full_name}"


class AppDelivery(models.Model):
    """One webhook delivery to the App's endpoint; the unique delivery id makes replays no-ops."""

    class Status(models.TextChoices):
        HANDLED = "handled", "Handled"
        QUEUED = "queued", "Audit queued"
        IGNORED = "ignored", "Ignored"

    delivery_id = models.CharField(max_length=100, unique=True)
    event = models.CharField(max_length=50)
    action = models.CharField(max_length=50, blank=True)
    installation_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.IGNORED)
    detail = models.CharField(max_length=300, blank=True)
    audit = models.ForeignKey(Audit, models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event}.{self.action} {self.delivery_id}: {self.status}"


class PullRequest(models.Model):
    """A pull request of a connected repository, and the one summary comment we keep on it."""

    github_repository = models.ForeignKey(GitHubRepository, models.CASCADE, related_name="pull_requests")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=300, blank=True)
    html_url = models.URLField(max_length=500, blank=True)
    comment_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["github_repository", "number"], name="pull_request_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.github_repository.full_name}#{self.number}"


class PullRequestAudit(models.Model):
    """An audit of a pull request's head, the base audit it is compared with, and its check run."""

    class CheckState(models.TextChoices):
        PENDING = "pending", "Not created yet"
        QUEUED = "queued", "Queued"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    audit = models.OneToOneField(Audit, models.CASCADE, related_name="pull_request")
    pull_request = models.ForeignKey(PullRequest, models.CASCADE, related_name="audits")
    head_sha = models.CharField(max_length=40)
    # A branch of the repository itself, or pull/<n>/head: the head lives in a fork (or its name is
    # not a branch name git takes), so the audit fetches refs/pull/<n>/head of the repository.
    head_ref = models.CharField(max_length=255)
    # The fork the head comes from ("" for a branch of the repository itself).
    head_repository = models.CharField(max_length=200, blank=True)
    base_ref = models.CharField(max_length=255)
    # The base commit GitHub named when the audit was queued: a fork's pull request is judged with
    # that commit's convex-audit.toml, not its own ("" when unknown: the base branch's then).
    base_sha = models.CharField(max_length=40, blank=True)
    # The latest done audit of the base branch when the pull request's audit was queued.
    base_audit = models.ForeignKey(Audit, models.SET_NULL, null=True, blank=True, related_name="+")
    check_run_id = models.BigIntegerField(null=True, blank=True)
    check_state = models.CharField(max_length=12, choices=CheckState.choices, default=CheckState.PENDING)
    conclusion = models.CharField(max_length=20, blank=True)
    annotations_sent = models.PositiveIntegerField(default=0)
    comment_published = models.BooleanField(default=False)
    sarif_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.pull_request} @ {self.head_sha[:7]}"

    @property
    def fetch_ref(self) -> str | None:
        """The ref of the base repository that holds the head, when it is not a branch of it."""
        pull_head = f"pull/{self.pull_request.number}/head"
        return f"refs/{pull_head}" if self.head_ref == pull_head else None
