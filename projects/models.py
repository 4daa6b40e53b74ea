"""Repositories, their audits, the findings of each audit and the inventory the engine saw.

Pages filter findings of one audit by severity, rule, path, status and suppressed, so each of
those is indexed together with the audit. An audit that found its commit already audited
(`reused_from`) owns no findings of its own: read through `Audit.result`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects import crypto, forge
from teams.models import Team


class Severity(models.TextChoices):
    ERROR = "error", "Error"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Repository(models.Model):
    team = models.ForeignKey(Team, models.CASCADE, related_name="repositories")
    name = models.CharField(max_length=200, help_text="Shown in lists; defaults to owner/name from the URL.")
    url = models.CharField("remote URL", max_length=500)
    branch = models.CharField(max_length=255, help_text="Resolved to the remote's default when left empty.")
    convex_dir = models.CharField(
        "Convex folder",
        max_length=255,
        blank=True,
        help_text="Relative to the repository root; empty: detect.",
    )
    # Fernet ciphertext; the plain token exists only in memory while a git command runs.
    token_encrypted = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Rules turned off and severities changed for this repository's audits, in the engine's
    # profile shape ({"disable": [ids], "severity": {id: level}}); laid over convex-audit.toml.
    rule_profile = models.JSONField(default=dict, blank=True, editable=False)
    # Denormalised so the project list needs no per-row subquery.
    last_audit = models.ForeignKey("Audit", models.SET_NULL, null=True, blank=True, related_name="+", editable=False)
    # The "one audit at a time" lease when no Redis is configured (see projects.locks).
    lock_token = models.CharField(max_length=36, blank=True, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "repositories"
        constraints = [
            models.UniqueConstraint(fields=["team", "url", "branch"], name="repository_unique_team_url_branch")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_token(self) -> bool:
        return bool(self.token_encrypted)

    def set_token(self, token: str | None) -> None:
        self.token_encrypted = crypto.encrypt(token) if token else ""

    def get_token(self) -> str | None:
        return crypto.decrypt(self.token_encrypted) if self.token_encrypted else None

    @property
    def web_url(self) -> str | None:
        """A browsable https URL for the repository, when the remote is https or ssh."""
        return forge.web_url(self.url)

    def file_url(self, sha: str, path: str, line: int | None = None) -> str | None:
        """Link to a file's line at a commit on GitHub, GitLab or Bitbucket; None for other hosts."""
        host = forge.forge_for(self.url)
        return host.file_url(sha, path, line) if host and sha else None

    def commit_url(self, sha: str) -> str | None:
        host = forge.forge_for(self.url)
        return host.commit_url(sha) if host and sha else None


class Audit(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLONING = "cloning", "Cloning"
        ANALYSING = "analysing", "Analysing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Manual"
        SCHEDULE = "schedule", "Schedule"
        WEBHOOK = "webhook", "Webhook"
        API = "api", "API"
        # An audit of a pull request's head (githubapp): compared with the base branch's latest
        # audit, and never the repository's last audit or another audit's baseline.
        PULL_REQUEST = "pull", "Pull request"

    ACTIVE_STATES = (State.QUEUED, State.CLONING, State.ANALYSING)
    RUNNING_STATES = (State.CLONING, State.ANALYSING)

    repository = models.ForeignKey(Repository, models.CASCADE, related_name="audits")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    failure_reason = models.TextField(blank=True)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    force = models.BooleanField(default=False, help_text="Re-analyse even when the commit was audited.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    # A push webhook names the commit it wants; empty means the branch head at fetch time.
    requested_sha = models.CharField(max_length=40, blank=True)
    # 1 for the first run; the reaper re-queues a stuck run once, as attempt 2.
    attempt = models.PositiveSmallIntegerField(default=1)
    retry_of = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="retries")
    # Failed for lack of time (its worker stopped responding, it ran past its time limit, or it
    # waited in the queue too long), rather than for something in the repository.
    timed_out = models.BooleanField(default=False)
    # Set when the commit had already been audited: the findings live on that audit.
    reused_from = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="reuses")

    branch = models.CharField(max_length=255, blank=True)
    commit_sha = models.CharField(max_length=40, blank=True)
    commit_author = models.CharField(max_length=255, blank=True)
    commit_message = models.TextField(blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    info_count = models.PositiveIntegerField(default=0)
    # The counts and the score are of findings whose effective state is open (triage.state);
    # they change when a triage decision or an ignore rule does.
    suppressed_count = models.PositiveIntegerField(default=0)
    dismissed_count = models.PositiveIntegerField(default=0)
    ignored_count = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    reopened_count = models.PositiveIntegerField(default=0)
    fixed_count = models.PositiveIntegerField(default=0)
    health_score = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.JSONField(null=True, blank=True, help_text="The engine's score breakdown, if it gave one.")
    stats = models.JSONField(default=dict, blank=True, help_text="The engine's stats (files, parse errors).")
    engine_seconds = models.FloatField(null=True, blank=True)
    # What new, reopened, unchanged and fixed were worked out against (projects.comparison).
    baseline = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+")
    # The repository's rule profile as it was when this audit started: a later change shows in
    # the next audit, never in this one.
    rule_profile = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["repository", "-created_at"], name="audit_repo_created"),
            models.Index(fields=["repository", "state"], name="audit_repo_state"),
            models.Index(fields=["repository", "commit_sha"], name="audit_repo_sha"),
            models.Index(fields=["state", "started_at"], name="audit_state_started"),
        ]

    def __str__(self) -> str:
        return f"Audit #{self.pk} of {self.repository_id} ({self.state})"

    @property
    def result(self) -> Audit:
        """The audit whose findings and inventory this one shows."""
        return self.reused_from if self.reused_from_id else self

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def short_sha(self) -> str:
        return self.commit_sha[:7]

    @property
    def finding_count(self) -> int:
        return self.error_count + self.warning_count + self.info_count

    def counts(self) -> dict[str, int]:
        return {"error": self.error_count, "warning": self.warning_count, "info": self.info_count}

    def summary_counts(self) -> dict[str, int]:
        """Open findings by severity, and how many were suppressed, dismissed, ignored, new,
        reopened and fixed."""
        return {
            **self.counts(),
            "suppressed": self.suppressed_count,
            "dismissed": self.dismissed_count,
            "ignored": self.ignored_count,
            "new": self.new_count,
            "reopened": self.reopened_count,
            "fixed": self.fixed_count,
        }

    def done_before(self) -> models.QuerySet[Audit]:
        """The repository's other finished audits that finished no later than this one (by
        `finished_at`, or now while it runs), newest first."""
        return (
            Audit.objects.filter(repository_id=self.repository_id, state=Audit.State.DONE)
            .exclude(pk=self.pk)
            .filter(finished_at__lte=self.finished_at or timezone.now())
            .order_by("-finished_at", "-id")
        )

    def result_inventory(self) -> InventorySnapshot | None:
        """The inventory this audit shows: its own, or the reused original's."""
        return InventorySnapshot.objects.filter(audit_id=self.result.pk).first()


class Finding(models.Model):
    class Status(models.TextChoices):
        """Against the audit's baseline (projects.comparison)."""

        NEW = "new", "New"
        UNCHANGED = "unchanged", "Unchanged"
        REOPENED = "reopened", "Reopened"

    class State(models.TextChoices):
        """The effective state, kept by triage.state: what every count, list and export reads."""

        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        IGNORED = "ignored", "Ignored"
        SUPPRESSED = "suppressed", "Suppressed in source"

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="findings")
    rule = models.CharField(max_length=100)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    # Sorting by severity needs a number; kept in step with `severity` by save() and the pipeline.
    severity_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    category = models.CharField(max_length=50, blank=True)
    path = models.CharField(max_length=500)
    line = models.PositiveIntegerField(default=0)
    column = models.PositiveIntegerField(default=0)
    end_line = models.PositiveIntegerField(default=0)
    end_column = models.PositiveIntegerField(default=0)
    message = models.TextField()
    fingerprint = models.CharField(max_length=128)
    suppressed = models.BooleanField(default=False)
    suppression = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    function = models.CharField(max_length=255, blank=True)
    snippet = models.TextField(blank=True)
    # The lines around the finding, read from the checkout when the audit was stored, so the
    # web process never needs the worker's clone: [[number, text], ...].
    context = models.JSONField(default=list, blank=True)

    class Meta:
        # Severity first (errors on top), then file order.
        ordering = ["audit_id", "-severity_rank", "path", "line", "column", "id"]
        indexes = [
            models.Index(fields=["audit", "-severity_rank", "path", "line"], name="finding_audit_order"),
            models.Index(fields=["audit", "severity"], name="finding_audit_severity"),
            models.Index(fields=["audit", "rule"], name="finding_audit_rule"),
            models.Index(fields=["audit", "path"], name="finding_audit_path"),
            models.Index(fields=["audit", "status"], name="finding_audit_status"),
            models.Index(fields=["audit", "suppressed"], name="finding_audit_suppressed"),
            models.Index(fields=["audit", "state", "-severity_rank", "path", "line"], name="finding_audit_state"),
            models.Index(fields=["audit", "fingerprint"], name="finding_audit_fingerprint"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} at {self.path}:{self.line}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.severity_rank = SEVERITY_RANK.get(self.severity, 0)
        super().save(*args, **kwargs)

    # The one shape of a finding: the engine's report fields (auditor.engine's finding_dict),
    # stored as they are, and given back in that shape (with status and state) by the API and
    # every export.
    REPORT_FIELDS = (
        "rule", "severity", "category", "path", "line", "column", "end_line", "end_column", "message",
        "function", "fingerprint", "suppressed", "suppression", "snippet",
    )
    TEXT_FIELDS = frozenset({"category", "path", "message", "function", "snippet"})
    NUMBER_FIELDS = frozenset({"line", "column", "end_line", "end_column"})

    @classmethod
    def from_report(cls, data: dict[str, Any], **fields: Any) -> Finding:
        """A row from a finding in the engine's report shape."""
        values: dict[str, Any] = {}
        for name in cls.REPORT_FIELDS:
            value = data.get(name)
            if name in cls.TEXT_FIELDS:
                value = value or ""
            elif name in cls.NUMBER_FIELDS:
                value = value or 0
            elif name == "suppressed":
                value = bool(value)
            values[name] = value
        return cls(**values, severity_rank=SEVERITY_RANK.get(values["severity"], 0), **fields)

    def as_dict(self) -> dict[str, Any]:
        """The finding in the report's shape, with its status against the baseline and its state."""
        return {**{name: getattr(self, name) for name in self.REPORT_FIELDS}, "status": self.status,
                "state": self.state}


class FixedFinding(models.Model):
    """A finding the previous audit had and `audit` no longer has.

    Copied rather than linked so history survives the previous audit's deletion; the
    repository is kept too so "was this fingerprint ever fixed?" (reopening) is one lookup.
    """

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="fixed_findings")
    repository = models.ForeignKey(Repository, models.CASCADE, related_name="+")
    previous = models.ForeignKey(Finding, models.SET_NULL, null=True, blank=True, related_name="+")
    rule = models.CharField(max_length=100)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    path = models.CharField(max_length=500)
    line = models.PositiveIntegerField(default=0)
    message = models.TextField()
    fingerprint = models.CharField(max_length=128)

    class Meta:
        ordering = ["audit_id", "path", "line", "id"]
        indexes = [
            models.Index(fields=["repository", "fingerprint"], name="fixed_repo_fingerprint"),
            models.Index(fields=["audit", "severity"], name="fixed_audit_severity"),
        ]

    def __str__(self) -> str:
        return f"fixed {self.rule} at {self.path}:{self.line}"


class InventorySnapshot(models.Model):
    """What the engine saw in the project at one audit; the schema/index/endpoint pages read it."""

    audit = models.OneToOneField(Audit, models.CASCADE, related_name="inventory")
    functions = models.JSONField(default=list)
    http_routes = models.JSONField(default=list)
    schema = models.JSONField(null=True, blank=True)
    index_map = models.JSONField(default=dict)
    crons = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"Inventory of audit #{self.audit_id}"
