"""What a digest says: for each of the team's repositories, what changed in the period.

For a period, a repository's "current" audit is its last finished audit in the period and its
"baseline" the last one before the period; new and fixed findings, the severity trend and the
HTTP routes and indexes added or removed all compare those two (the baseline's inventory
snapshot against the current one's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from gates import services as gates
from notifications.models import DigestSubscription
from projects.models import SEVERITY_RANK, Audit, FixedFinding, InventorySnapshot, Repository
from triage.services import dismissal_for

MAX_LISTED = 50
SEVERITIES = ("error", "warning", "info")


def absolute(path: str) -> str:
    return settings.SITE_URL + path


@dataclass
class Item:
    rule: str
    severity: str
    path: str
    line: int
    message: str
    link: str | None = None
    file_link: str | None = None

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass
class RepositorySection:
    repository: Repository
    audit: Audit
    baseline: Audit | None
    new: list[Item] = field(default_factory=list)
    fixed: list[Item] = field(default_factory=list)
    new_total: int = 0
    fixed_total: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    trend: dict[str, int] = field(default_factory=dict)
    gate: str | None = None
    routes_added: list[str] = field(default_factory=list)
    routes_removed: list[str] = field(default_factory=list)
    indexes_added: list[str] = field(default_factory=list)
    indexes_removed: list[str] = field(default_factory=list)
    link: str = ""

    @property
    def has_changes(self) -> bool:
        return bool(self.new_total or self.fixed_total)

    @property
    def inventory_changed(self) -> bool:
        return bool(self.routes_added or self.routes_removed or self.indexes_added or self.indexes_removed)

    def trend_rows(self) -> list[dict[str, Any]]:
        return [{"severity": s, "count": self.counts.get(s, 0), "delta": self.trend.get(s, 0)} for s in SEVERITIES]


@dataclass
class Digest:
    subscription: DigestSubscription
    period_start: datetime
    period_end: datetime
    sections: list[RepositorySection]
    quiet: list[Repository]

    @property
    def new_total(self) -> int:
        return sum(s.new_total for s in self.sections)

    @property
    def fixed_total(self) -> int:
        return sum(s.fixed_total for s in self.sections)

    @property
    def has_changes(self) -> bool:
        return any(s.has_changes for s in self.sections)

    @property
    def gates_failed(self) -> int:
        return sum(1 for s in self.sections if s.gate == "failed")


def _audit_path(audit: Audit) -> str:
    try:
        return reverse("reports:audit", args=[audit.pk])
    except NoReverseMatch:  # the report pages are another app's; fall back to our own page
        return reverse("gate_settings", args=[audit.repository_id])


def _route_keys(snapshot: InventorySnapshot | None) -> set[str]:
    if snapshot is None:
        return set()
    keys = set()
    for route in snapshot.http_routes or []:
        target = route.get("path") or ((route.get("path_prefix") or "") + "*")
        keys.add(f"{route.get('method') or '*'} {target}")
    return keys


def _index_keys(snapshot: InventorySnapshot | None) -> set[str]:
    if snapshot is None:
        return set()
    rows = (snapshot.index_map or {}).get("indexes") or []
    return {f"{row.get('table')}.{row.get('name')} ({', '.join(row.get('fields') or [])})" for row in rows}


def _snapshot(audit: Audit | None) -> InventorySnapshot | None:
    if audit is None:
        return None
    return audit.result_inventory()


def section_for(
    repository: Repository, audit: Audit, baseline: Audit | None, min_rank: int
) -> RepositorySection:
    current = audit.result
    rows = list(
        current.findings.filter(suppressed=False).values(
            "id", "fingerprint", "rule", "severity", "path", "line", "message"
        )
    )
    before_rows: list[dict[str, Any]] = []
    if baseline is not None:
        before_rows = list(
            baseline.result.findings.filter(suppressed=False).values(
                "fingerprint", "rule", "severity", "path", "line", "message"
            )
        )
    before = {r["fingerprint"] for r in before_rows}
    now_fps = {r["fingerprint"] for r in rows}
    dismissal = dismissal_for(repository.pk, now_fps | before)

    def counts(rs: list[dict[str, Any]]) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for r in rs:
            if dismissal.reason(r["fingerprint"], r["rule"], r["path"]) is None:
                out[r["severity"]] = out.get(r["severity"], 0) + 1
        return out

    def wanted(r: dict[str, Any]) -> bool:
        return SEVERITY_RANK.get(r["severity"], 0) >= min_rank and dismissal.reason(
            r["fingerprint"], r["rule"], r["path"]
        ) is None

    new_rows = sorted(
        (r for r in rows if r["fingerprint"] not in before and wanted(r)),
        key=lambda r: (-SEVERITY_RANK.get(r["severity"], 0), r["path"], r["line"]),
    )
    if baseline is None:
        fixed_rows = [
            {"rule": f.rule, "severity": f.severity, "path": f.path, "line": f.line, "message": f.message,
             "fingerprint": f.fingerprint}
            for f in FixedFinding.objects.filter(audit=current)
        ]
    else:
        fixed_rows = [r for r in before_rows if r["fingerprint"] not in now_fps]
    fixed_rows = sorted(
        (r for r in fixed_rows if SEVERITY_RANK.get(r["severity"], 0) >= min_rank),
        key=lambda r: (-SEVERITY_RANK.get(r["severity"], 0), r["path"], r["line"]),
    )
    section = RepositorySection(
        repository=repository,
        audit=audit,
        baseline=baseline,
        new_total=len(new_rows),
        fixed_total=len(fixed_rows),
        link=absolute(_audit_path(audit)),
    )
    for r in new_rows[:MAX_LISTED]:
        section.new.append(Item(
            r["rule"], r["severity"], r["path"], r["line"], r["message"],
            link=absolute(reverse("finding_triage", args=[r["id"]])),
            file_link=repository.file_url(current.commit_sha, r["path"], r["line"]),
        ))
    for r in fixed_rows[:MAX_LISTED]:
        section.fixed.append(Item(r["rule"], r["severity"], r["path"], r["line"], r["message"]))
    section.counts = counts(rows)
    base_counts = counts(before_rows) if baseline is not None else dict.fromkeys(SEVERITIES, 0)
    section.trend = {s: section.counts[s] - base_counts.get(s, 0) for s in SEVERITIES}
    section.gate = gates.status_for(audit)
    if baseline is not None:
        now_snap, base_snap = _snapshot(audit), _snapshot(baseline)
        routes_now, routes_before = _route_keys(now_snap), _route_keys(base_snap)
        indexes_now, indexes_before = _index_keys(now_snap), _index_keys(base_snap)
        section.routes_added = sorted(routes_now - routes_before)
        section.routes_removed = sorted(routes_before - routes_now)
        section.indexes_added = sorted(indexes_now - indexes_before)
        section.indexes_removed = sorted(indexes_before - indexes_now)
    return section


def _done(repository: Repository):
    return (
        Audit.objects.filter(repository=repository, state=Audit.State.DONE)
        .exclude(trigger=Audit.Trigger.PULL_REQUEST)
        .select_related("reused_from")
    )


def build_period(subscription: DigestSubscription, start: datetime, end: datetime) -> Digest:
    sections, quiet = [], []
    for repository in subscription.team.repositories.order_by("name"):
        current = _done(repository).filter(finished_at__gte=start, finished_at__lt=end).order_by(
            "-finished_at", "-id").first()
        if current is None:
            quiet.append(repository)
            continue
        baseline = _done(repository).filter(finished_at__lt=start).order_by("-finished_at", "-id").first()
        sections.append(section_for(repository, current, baseline, subscription.min_rank))
    return Digest(subscription, start, end, sections, quiet)


def build_for_audit(subscription: DigestSubscription, audit: Audit) -> Digest:
    """The immediate kind: the one audit against the audit before it."""
    repository = audit.repository
    baseline = audit.done_before().select_related("reused_from").first()
    section = section_for(repository, audit, baseline, subscription.min_rank)
    return Digest(subscription, audit.finished_at, audit.finished_at, [section], [])
