"""Triage decisions on findings and project-level ignore rules.

A decision belongs to a (repository, fingerprint), not to a Finding row: every audit stores
its own Finding rows, and the fingerprint is what stays the same from one audit to the next,
so a finding marked "false positive" stays marked in later audits.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from django.conf import settings
from django.db import models
from django.utils import timezone

from projects.models import Finding, Repository


class TriageState(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED_RISK = "accepted_risk", "Accepted risk"
    FALSE_POSITIVE = "false_positive", "False positive"


DISMISSED_STATES = (TriageState.ACCEPTED_RISK, TriageState.FALSE_POSITIVE)


class TriageDecision(models.Model):
    repository = models.ForeignKey(Repository, models.CASCADE, related_name="triage_decisions")
    fingerprint = models.CharField(max_length=128)
    state = models.CharField(max_length=20, choices=TriageState.choices, default=TriageState.OPEN)
    comment = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["repository", "fingerprint"], name="triage_unique_repo_fingerprint")
        ]

    def __str__(self) -> str:
        return f"{self.fingerprint[:12]}: {self.state}"


class TriageEvent(models.Model):
    """One change of a decision: who, when, from which state to which, and why."""

    repository = models.ForeignKey(Repository, models.CASCADE, related_name="triage_events")
    fingerprint = models.CharField(max_length=128)
    # The finding row the change was made from; the history itself follows the fingerprint.
    finding = models.ForeignKey(Finding, models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    from_state = models.CharField(max_length=20, choices=TriageState.choices)
    to_state = models.CharField(max_length=20, choices=TriageState.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["repository", "fingerprint", "-created_at"], name="triage_event_fp")]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class IgnoreRule(models.Model):
    """Findings of `rule` (a glob; `*` for any) in paths matching `path_glob` are ignored."""

    repository = models.ForeignKey(Repository, models.CASCADE, related_name="ignore_rules")
    rule = models.CharField(max_length=100, help_text="A rule id, or a glob such as auth/* or *.")
    path_glob = models.CharField("path glob", max_length=300, default="*", help_text="e.g. convex/legacy/**")
    reason = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule", "path_glob", "id"]

    def __str__(self) -> str:
        return f"ignore {self.rule} in {self.path_glob}"

    def matches(self, rule: str, path: str) -> bool:
        # fnmatch's * already crosses "/", so ** behaves like * here.
        return fnmatchcase(rule, self.rule) and fnmatchcase(path, self.path_glob.replace("**", "*"))
