"""Read helpers for the pages: a fixed number of queries however many repositories or findings.

Everything here starts from querysets that projects.access already scoped to the user's teams.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import QueryDict

from projects.models import Audit, Finding, Repository

SPARKLINE_AUDITS = 12
# A page of the projects list: rendering a row costs about a millisecond, so 200 at once held a
# team of 200 repositories at a quarter of a second per view.
PROJECTS_PER_PAGE = 50
FINDINGS_PER_PAGE = 50
SEVERITIES = ("error", "warning", "info")
# What a row of the projects list shows of an audit. The other columns (the engine's stats and
# score above all, JSON decoded per row) cost more to load than the rest of the page.
LISTED_AUDIT_FIELDS = (
    "id", "repository_id", "state", "failure_reason", "commit_sha", "created_at", "started_at", "finished_at",
    "error_count", "warning_count", "info_count", "new_count", "reopened_count", "health_score",
)
LISTED_REPOSITORY_FIELDS = ("id", "team_id", "name", "url", "branch", "last_audit_id")


def _newest(repository_ids: list[int], per_repository: int, *, done_only: bool) -> QuerySet[Audit]:
    """The newest `per_repository` audits of each repository (one window query)."""
    audits = Audit.objects.filter(repository_id__in=repository_ids).exclude(trigger=Audit.Trigger.PULL_REQUEST)
    if done_only:
        audits = audits.filter(state=Audit.State.DONE)
    return audits.annotate(
        rank=Window(RowNumber(), partition_by=[F("repository_id")], order_by=[F("created_at").desc(), F("id").desc()])
    ).filter(rank__lte=per_repository)


def latest_audits(repository_ids: Iterable[int], per_repository: int, *, done_only: bool) -> dict[int, list[Audit]]:
    """The newest `per_repository` audits of each repository, newest first, in one query."""
    ids = list(repository_ids)
    if not ids:
        return {}
    ranked = _newest(ids, per_repository, done_only=done_only).only(*LISTED_AUDIT_FIELDS)
    result: dict[int, list[Audit]] = defaultdict(list)
    for audit in ranked.order_by("repository_id", "-created_at", "-id"):
        result[audit.repository_id].append(audit)
    return result


def trend_scores(repository_ids: Iterable[int], per_repository: int) -> dict[int, list[int | None]]:
    """Health scores of each repository's newest finished audits, oldest first, in one query.

    Plain values, not Audit objects: with hundreds of repositories that is thousands of rows,
    and building a model instance for each cost more than the rest of the projects page.
    """
    ids = list(repository_ids)
    if not ids:
        return {}
    ranked = _newest(ids, per_repository, done_only=True)
    result: dict[int, list[int | None]] = defaultdict(list)
    for repository_id, score in ranked.order_by("repository_id", "created_at", "id").values_list(
        "repository_id", "health_score"
    ):
        result[repository_id].append(score)
    return result


@dataclass
class ProjectRow:
    repository: Repository
    latest: Audit | None
    last_done: Audit | None
    scores: list[int | None] = field(default_factory=list)  # the sparkline, oldest first

    @property
    def counts(self) -> dict[str, int]:
        return self.last_done.counts() if self.last_done else {}

    @property
    def new_since_last(self) -> int | None:
        if self.last_done is None:
            return None
        return self.last_done.new_count + self.last_done.reopened_count


def project_rows(repositories: QuerySet[Repository]) -> list[ProjectRow]:
    repos = list(
        repositories.select_related("last_audit").only(
            *LISTED_REPOSITORY_FIELDS, *(f"last_audit__{name}" for name in LISTED_AUDIT_FIELDS)
        )
    )
    newest = latest_audits([r.pk for r in repos], 1, done_only=False)
    # Repositories whose last_audit is not set (audited before it existed): their latest finished one.
    done = latest_audits([r.pk for r in repos if r.last_audit_id is None], 1, done_only=True)
    rows = []
    for repo in repos:
        last_done = repo.last_audit or (done.get(repo.pk) or [None])[0]
        latest = (newest.get(repo.pk) or [None])[0]
        rows.append(ProjectRow(repository=repo, latest=latest, last_done=last_done))
    return rows


def add_trend_scores(rows: list[ProjectRow]) -> None:
    """Fill in each row's sparkline scores (one query). A trend changes only when an audit
    finishes, which also moves the repository's last finished audit."""
    scores = trend_scores([row.repository.pk for row in rows], SPARKLINE_AUDITS)
    for row in rows:
        row.scores = scores.get(row.repository.pk, [])


# --- findings of one audit ----------------------------------------------------------------------


STATES = (*Finding.State.values, "all")
LEGACY_SUPPRESSED = {"hide": "open", "include": "all", "only": "suppressed"}


@dataclass
class FindingFilters:
    severity: str = ""
    rule: str = ""
    path: str = ""
    status: str = ""
    state: str = Finding.State.OPEN  # the effective state (triage.state); "all" for every one

    @staticmethod
    def allowed() -> dict[str, tuple[str, ...]]:
        return {"severity": SEVERITIES, "status": tuple(Finding.Status.values), "state": STATES}

    @classmethod
    def errors(cls, query: QueryDict) -> dict[str, list[str]]:
        """Each filter given a value it does not know, with the values it allows."""
        errors = {}
        for name, allowed in cls.allowed().items():
            value = query.get(name, "")
            if value and value not in allowed:
                errors[name] = [f"{value!r} is not one of: {', '.join(allowed)}."]
        suppressed = query.get("suppressed", "")
        if suppressed and suppressed not in LEGACY_SUPPRESSED:
            errors["suppressed"] = [f"{suppressed!r} is not one of: {', '.join(LEGACY_SUPPRESSED)}."]
        return errors

    @classmethod
    def from_query(cls, query: QueryDict) -> FindingFilters:
        """The filters of a query string; a value it does not know is left out (the API answers
        400 first, see `errors`)."""
        severity = query.get("severity", "")
        status = query.get("status", "")
        state = query.get("state", "") or LEGACY_SUPPRESSED.get(query.get("suppressed", ""), Finding.State.OPEN)
        return cls(
            severity=severity if severity in SEVERITIES else "",
            # PostgreSQL refuses NUL in a string parameter (a 500 otherwise; found by schemathesis).
            rule=query.get("rule", "").replace("\x00", "").strip()[:100],
            path=query.get("path", "").replace("\x00", "").strip()[:500],
            status=status if status in Finding.Status.values else "",
            state=state if state in STATES else Finding.State.OPEN,
        )

    def path_condition(self) -> Q:
        """This file, or the files in this folder: `convex/a.ts` is not `convex/a.tsx`."""
        if not self.path:
            return Q()
        folder = self.path.rstrip("/")
        return Q(path=folder) | Q(path__startswith=f"{folder}/") if folder else Q()

    def apply(self, findings: QuerySet[Finding], *, state: bool = True) -> QuerySet[Finding]:
        """The findings these filters keep; `state=False` leaves the state filter out (for the
        counts of each state)."""
        if self.severity:
            findings = findings.filter(severity=self.severity)
        if self.rule:
            findings = findings.filter(rule=self.rule)
        if self.path:
            findings = findings.filter(self.path_condition())
        if self.status:
            findings = findings.filter(status=self.status)
        if state and self.state != "all":
            findings = findings.filter(state=self.state)
        return findings

    def as_query(self) -> str:
        """The filters as a query string (without page), for pagination links."""
        query = QueryDict(mutable=True)
        for name in ("severity", "rule", "path", "status"):
            if getattr(self, name):
                query[name] = getattr(self, name)
        if self.state != Finding.State.OPEN:
            query["state"] = self.state
        return query.urlencode()

    @property
    def active(self) -> bool:
        return bool(self.severity or self.rule or self.path or self.status or self.state != Finding.State.OPEN)


def paginate(queryset: QuerySet[Any], page_number: str | None, per_page: int = FINDINGS_PER_PAGE) -> Page:
    return Paginator(queryset, per_page).get_page(page_number)


def rule_counts(findings: QuerySet[Finding]) -> list[tuple[str, int]]:
    """(rule, count) of an audit's findings, for the rule filter; one grouped query."""
    rows = findings.values("rule").annotate(n=Count("id")).order_by("rule")
    return [(row["rule"], row["n"]) for row in rows]


def state_counts(findings: QuerySet[Finding]) -> dict[str, int]:
    """How many of the findings are in each effective state; one grouped query."""
    counts = dict.fromkeys(Finding.State.values, 0)
    for row in findings.values("state").annotate(n=Count("id")).order_by("state"):
        counts[row["state"]] = row["n"]
    return counts


def severity_counts(findings: QuerySet[Finding]) -> dict[str, int]:
    agg = findings.aggregate(**{s: Count("id", filter=Q(severity=s)) for s in SEVERITIES})
    return {s: agg[s] or 0 for s in SEVERITIES}
