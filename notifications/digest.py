"""What a digest says: for each of the team's repositories, what changed in the period.

New and fixed findings are what projects.comparison stored with each audit, never worked out
again here: for one audit (the immediate kind), its own; for a period, those the period's
audits stored that still hold at its last audit. Counts are the audits' stored (open) counts;
the severity trend and the HTTP routes and indexes added or removed compare the period's last
audit with the last one before the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from gates import services as gates
from notifications.models import DigestSubscription
from projects import comparison
from projects.models import SEVERITY_RANK, Audit, Finding, FixedFinding, InventorySnapshot, Repository
from reports.deploysafety import SafetyItem, deploy_safety

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
    deploy_safety: list[SafetyItem] = field(default_factory=list)  # unsafe schema and API changes

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


def _by_severity(rows: list[Any]) -> list[Any]:
    return sorted(rows, key=lambda r: (-SEVERITY_RANK.get(r.severity, 0), r.path, r.line))


def section_for(
    repository: Repository,
    audit: Audit,
    baseline: Audit | None,
    min_rank: int,
    new_rows: list[Finding],
    fixed_rows: list[FixedFinding],
) -> RepositorySection:
    """A repository's section from what the comparison stored: the new (open) and fixed findings
    given, the stored counts of the audit against its baseline's, and the inventory change."""
    current = audit.result
    new_rows = _by_severity([r for r in new_rows if SEVERITY_RANK.get(r.severity, 0) >= min_rank])
    fixed_rows = _by_severity([r for r in fixed_rows if SEVERITY_RANK.get(r.severity, 0) >= min_rank])
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
            r.rule, r.severity, r.path, r.line, r.message,
            link=absolute(reverse("finding_triage", args=[r.pk])),
            file_link=repository.file_url(current.commit_sha, r.path, r.line),
        ))
    for f in fixed_rows[:MAX_LISTED]:
        section.fixed.append(Item(f.rule, f.severity, f.path, f.line, f.message))
    section.counts = audit.counts()
    base_counts = baseline.counts() if baseline is not None else dict.fromkeys(SEVERITIES, 0)
    section.trend = {s: section.counts[s] - base_counts.get(s, 0) for s in SEVERITIES}
    section.gate = gates.status_for(audit)
    section.deploy_safety = _deploy_safety(audit, baseline)
    if baseline is not None:
        now_snap, base_snap = _snapshot(audit), _snapshot(baseline)
        routes_now, routes_before = _route_keys(now_snap), _route_keys(base_snap)
        indexes_now, indexes_before = _index_keys(now_snap), _index_keys(base_snap)
        section.routes_added = sorted(routes_now - routes_before)
        section.routes_removed = sorted(routes_before - routes_now)
        section.indexes_added = sorted(indexes_now - indexes_before)
        section.indexes_removed = sorted(indexes_before - indexes_now)
    return section


def period_changes(repository: Repository, current: Audit, start: datetime, end: datetime
                   ) -> tuple[list[Finding], list[FixedFinding]]:
    """What the audits finished in the period stored as new and fixed, as it stands at `current`:
    a finding added in the period that is still there and open, a fixed one still gone."""
    in_period = _done(repository).filter(finished_at__gte=start, finished_at__lt=end, reused_from__isnull=True)
    added = Finding.objects.filter(
        audit__in=in_period, status__in=[Finding.Status.NEW, Finding.Status.REOPENED]
    ).values("fingerprint")
    new_rows = list(current.result.findings.filter(state=Finding.State.OPEN, fingerprint__in=added))
    present = current.result.findings.values("fingerprint")
    fixed: dict[str, FixedFinding] = {}
    for row in FixedFinding.objects.filter(audit__in=in_period).exclude(fingerprint__in=present).order_by("-id"):
        fixed.setdefault(row.fingerprint, row)
    return new_rows, list(fixed.values())


def _deploy_safety(audit: Audit, baseline: Audit | None) -> list[SafetyItem]:
    """The unsafe schema and API changes since the baseline; without one (or with an inventory too old
    to compare), the compat findings of the audit itself, which compare it with the audit before."""
    if baseline is not None:
        safety = deploy_safety(audit, _snapshot(baseline), _snapshot(audit))
        if safety.available:
            return safety.items
    rows = audit.result.findings.filter(rule__startswith="compat/", state=Finding.State.OPEN).order_by("id")
    return [SafetyItem(r.rule, r.severity, f"{r.path}:{r.line}", r.message) for r in rows]


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
        new_rows, fixed_rows = period_changes(repository, current, start, end)
        sections.append(section_for(repository, current, baseline, subscription.min_rank, new_rows, fixed_rows))
    return Digest(subscription, start, end, sections, quiet)


def build_for_audit(subscription: DigestSubscription, audit: Audit) -> Digest:
    """The immediate kind: the one audit against the baseline it stored."""
    repository = audit.repository
    section = section_for(
        repository, audit, audit.baseline, subscription.min_rank,
        list(comparison.new_findings(audit)), list(comparison.fixed_findings(audit)),
    )
    return Digest(subscription, audit.finished_at, audit.finished_at, [section], [])
