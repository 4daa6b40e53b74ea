"""One answer to "what is new since the baseline".

When an audit is stored, `record` compares its findings with a baseline audit by fingerprint
and stores the answer: each finding's status (new, reopened, unchanged), the findings that are
fixed (their fingerprint is gone: a finding suppressed in source is still there, so it is not
fixed), and which audit the baseline was. The gate, digests, outgoing webhooks and the history
diff read what was stored; `between` answers for any other pair with the same comparison.

The baseline of an audit is, by default, the previous finished audit of the same branch
(`default_baseline`); a pull request compares with its base branch's audit by
passing that audit to `record` explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from projects.models import Audit, Finding, FixedFinding

CHUNK = 500
LISTED = 200
FIXED_FIELDS = ("id", "fingerprint", "rule", "severity", "path", "line", "message")


def default_baseline(audit: Audit) -> Audit | None:
    """The previous finished audit of the audit's branch (a forced re-analysis of a commit is
    compared with the audit it repeats, so only what the engine now sees differently is new);
    for a pull request's audit, the base branch's audit it was queued against. Pull requests'
    audits are never another audit's baseline."""
    if audit.trigger == Audit.Trigger.PULL_REQUEST:
        run = getattr(audit, "pull_request", None)
        return run.base_audit if run is not None else None
    return (
        audit.done_before()
        .filter(branch=audit.branch)
        .exclude(trigger=Audit.Trigger.PULL_REQUEST)
        .select_related("reused_from")
        .first()
    )


@dataclass
class Comparison:
    """Fingerprint → status of the head's findings, and the baseline's rows that are gone."""

    baseline: Audit | None
    status: dict[str, str] = field(default_factory=dict)
    fixed: list[dict[str, Any]] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for value in self.status.values() if value == status)


def _chunks(items: list[Any], size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def compare(repository_id: int, fingerprints: Iterable[str], baseline: Audit | None) -> Comparison:
    """Compare the head's fingerprints with the baseline's. A fingerprint the baseline lacks is
    reopened when the repository saw it fixed before, new otherwise."""
    current = set(fingerprints)
    before: dict[str, dict[str, Any]] = {}
    if baseline is not None:
        for row in Finding.objects.filter(audit_id=baseline.result.pk).values(*FIXED_FIELDS).order_by("id"):
            before.setdefault(row["fingerprint"], row)
    returning = sorted(current - before.keys())
    ever_fixed: set[str] = set()
    for chunk in _chunks(returning):
        ever_fixed.update(
            FixedFinding.objects.filter(repository_id=repository_id, fingerprint__in=chunk).values_list(
                "fingerprint", flat=True
            )
        )
    status = {}
    for fingerprint in current:
        if fingerprint in before:
            status[fingerprint] = Finding.Status.UNCHANGED
        elif fingerprint in ever_fixed:
            status[fingerprint] = Finding.Status.REOPENED
        else:
            status[fingerprint] = Finding.Status.NEW
    fixed = [row for fingerprint, row in before.items() if fingerprint not in current]
    return Comparison(baseline, status, fixed)


@transaction.atomic
def record(audit: Audit, baseline: Audit | None) -> Comparison:
    """Compare a stored audit's findings with `baseline` and store the answer on the audit."""
    if baseline is not None and baseline.result.pk == audit.result.pk:
        baseline = None  # an audit is never its own baseline
    rows = list(Finding.objects.filter(audit_id=audit.pk).values_list("pk", "fingerprint", "status"))
    comparison = compare(audit.repository_id, (fp for _pk, fp, _status in rows), baseline)
    changes: dict[str, list[int]] = {}
    for pk, fingerprint, status in rows:
        wanted = comparison.status[fingerprint]
        if wanted != status:
            changes.setdefault(wanted, []).append(pk)
    for status, ids in changes.items():
        for chunk in _chunks(ids):
            Finding.objects.filter(pk__in=chunk).update(status=status)
    FixedFinding.objects.filter(audit=audit).delete()
    FixedFinding.objects.bulk_create(
        [
            FixedFinding(
                audit=audit,
                repository_id=audit.repository_id,
                previous_id=row["id"],
                rule=row["rule"],
                severity=row["severity"],
                path=row["path"],
                line=row["line"],
                message=row["message"],
                fingerprint=row["fingerprint"],
            )
            for row in comparison.fixed
        ],
        batch_size=1000,
    )
    audit.baseline = baseline
    audit.fixed_count = len(comparison.fixed)
    Audit.objects.filter(pk=audit.pk).update(baseline=baseline, fixed_count=audit.fixed_count)
    from triage.state import recount  # triage builds on projects; the counts follow the statuses

    recount([audit])
    return comparison


# --- reading what was stored ------------------------------------------------------------------


def new_findings(audit: Audit, *, open_only: bool = True) -> QuerySet[Finding]:
    """The findings the audit added since its stored baseline (new or reopened); by default only
    those whose effective state is open. A "no change" audit (same commit) added nothing."""
    if audit.reused_from_id:
        return Finding.objects.none()
    rows = Finding.objects.filter(audit_id=audit.pk, status__in=[Finding.Status.NEW, Finding.Status.REOPENED])
    if open_only:
        rows = rows.filter(state=Finding.State.OPEN)
    return rows.order_by("-severity_rank", "path", "line", "id")


def fixed_findings(audit: Audit) -> QuerySet[FixedFinding]:
    if audit.reused_from_id:
        return FixedFinding.objects.none()
    return FixedFinding.objects.filter(audit_id=audit.pk).order_by("-id")


@dataclass
class PairAnswer:
    """New and fixed between two audits, for the history diff."""

    new: list[Any]
    fixed: list[Any]
    new_total: int
    fixed_total: int
    stored: bool


def _sort_key(row: Any) -> tuple[int, str, int]:
    from projects.models import SEVERITY_RANK

    return (-SEVERITY_RANK.get(row.severity, 0), row.path, row.line)


def between(base: Audit, head: Audit) -> PairAnswer:
    """New and fixed from `base` to `head`: what `head` stored when `base` was its baseline,
    otherwise the same comparison worked out for this pair (not stored). A finding suppressed in
    source is not listed as new, and is not fixed while its fingerprint is there."""
    stored_base = head.result.baseline_id if head.reused_from_id else head.baseline_id
    if stored_base is not None and stored_base in (base.pk, base.result.pk):
        source = head.result
        new = Finding.objects.filter(
            audit_id=source.pk, status__in=[Finding.Status.NEW, Finding.Status.REOPENED]
        ).exclude(state=Finding.State.SUPPRESSED).order_by("-severity_rank", "path", "line", "id")
        fixed = sorted(FixedFinding.objects.filter(audit_id=source.pk), key=_sort_key)
        return PairAnswer(list(new[:LISTED]), fixed[:LISTED], new.count(), len(fixed), stored=True)
    head_rows = Finding.objects.filter(audit_id=head.result.pk)
    comparison = compare(head.repository_id, head_rows.values_list("fingerprint", flat=True), base)
    added = {fp for fp, status in comparison.status.items() if status != Finding.Status.UNCHANGED}
    new_rows = sorted(
        (f for f in head_rows if f.fingerprint in added and f.state != Finding.State.SUPPRESSED), key=_sort_key
    )
    fixed_ids = [row["id"] for row in comparison.fixed]
    fixed_rows = sorted(Finding.objects.filter(pk__in=fixed_ids), key=_sort_key) if len(fixed_ids) < 5000 else []
    return PairAnswer(new_rows[:LISTED], fixed_rows[:LISTED], len(new_rows), len(comparison.fixed), stored=False)
