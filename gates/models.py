"""Quality gates: conditions on the open findings an audit added since its baseline.

The baseline and what is new are what projects.comparison stored with the audit; a "no change"
run is judged like the audit whose result it reuses.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from projects.models import SEVERITY_RANK, Audit, Repository, Severity


class QualityGate(models.Model):
    repository = models.OneToOneField(Repository, models.CASCADE, related_name="quality_gate")
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Gate of {self.repository_id}"


class GateCondition(models.Model):
    """Fail when more than `max_new` new findings of at least `min_severity` match `rule_glob`."""

    gate = models.ForeignKey(QualityGate, models.CASCADE, related_name="conditions")
    min_severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.ERROR)
    rule_glob = models.CharField("rules", max_length=100, default="*", help_text="A rule id or glob: auth/*, *.")
    max_new = models.PositiveIntegerField("at most", default=0, help_text="New findings allowed; 0: none.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        what = "finding" if self.min_severity == Severity.INFO else f"{self.get_min_severity_display().lower()}"
        if self.min_severity == Severity.WARNING:
            what = "warning or error"
        rules = "" if self.rule_glob in ("", "*") else f" in rules {self.rule_glob}"
        if self.max_new == 0:
            return f"no new {what}{rules}"
        return f"at most {self.max_new} new {what}{rules}"

    @property
    def min_rank(self) -> int:
        return SEVERITY_RANK[self.min_severity]


class GateResult(models.Model):
    class Status(models.TextChoices):
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"

    audit = models.OneToOneField(Audit, models.CASCADE, related_name="gate_result")
    baseline = models.ForeignKey(Audit, models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    # [{"condition": "no new error", "count": 2, "max": 0, "passed": false, "findings": [ids]}]
    details = models.JSONField(default=list)
    new_count = models.PositiveIntegerField(default=0)
    evaluated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Gate of audit {self.audit_id}: {self.status}"
