"""The findings page's list: filters with counts, groups by rule or file, sorts, and the rows.

Everything is a fixed number of queries however many findings an audit has: one aggregate for
the facet counts, one grouped query for the rule facet, one for the groups, and one window
query for the first rows of each group on the page (or a page of rows when one group or no
grouping is shown).

A finding's state is its effective state (triage.state, stored on the row): suppressed in
source, dismissed (accepted risk or false positive), ignored by an ignore rule, or open. The list
shows open findings unless asked otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import QueryDict

from projects.models import Finding
from reports.queries import SEVERITIES, STATES, FindingFilters

STATUSES = ("new", "reopened", "unchanged")
GROUPINGS = ("rule", "file", "none")
SORTS = ("severity", "file", "newest")
GROUPS_PER_PAGE = 20
ROWS_PER_GROUP = 8
ROWS_PER_PAGE = 50
_NOTHING = Q(pk__lt=0)  # a condition no row meets (an empty IN list is not portable)


@dataclass
class FindingQuery(FindingFilters):
    """What the findings page was asked for: the list's filters (as the API reads them),
    grouping, order and page."""

    group: str = "rule"
    sort: str = "severity"
    page: str = ""

    @classmethod
    def from_query(cls, query: QueryDict) -> FindingQuery:
        def pick(name: str, allowed: tuple[str, ...], default: str) -> str:
            value = query.get(name, default)
            return value if value in allowed else default

        filters = FindingFilters.from_query(query)
        return cls(
            **{f.name: getattr(filters, f.name) for f in fields(FindingFilters)},
            group=pick("group", GROUPINGS, "rule"),
            sort=pick("sort", SORTS, "severity"),
            page=query.get("page", "")[:10],
        )

    def as_query(self, **changes: str) -> str:
        """The query string of this view with `changes`, defaults left out (page too, unless
        changed)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | {"page": ""} | changes
        query = QueryDict(mutable=True)
        for f in fields(self):
            if values[f.name] and values[f.name] != f.default:
                query[f.name] = values[f.name]
        return query.urlencode()

    @property
    def group_field(self) -> str | None:
        return {"rule": "rule", "file": "path"}.get(self.group)

    def key(self) -> str:
        return self.as_query(page=self.page)


@dataclass
class States:
    """The condition behind each state: the effective state stored on each finding (triage.state)."""

    conditions: dict[str, Q] = field(
        default_factory=lambda: {**{state: Q(state=state) for state in Finding.State.values}, "all": Q()}
    )


@dataclass
class Group:
    key: str
    count: int
    top: str  # the highest severity in the group
    new: int
    rows: list[Finding] = field(default_factory=list)
    doc: Any = None
    url: str | None = None

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


@dataclass
class FindingList:
    query: FindingQuery
    total: int
    facets: dict[str, dict[str, int]]
    rules: list[tuple[str, int]]
    groups: list[Group]
    page: Page | None  # of groups, or of rows when a single group or no grouping is shown
    rows_page: Page | None


_RANK_NAMES = {2: "error", 1: "warning", 0: "info"}
_NEWEST = Case(
    When(status="new", then=Value(0)), When(status="reopened", then=Value(1)), default=Value(2),
    output_field=IntegerField(),
)


def _row_order(query: FindingQuery) -> list[Any]:
    if query.sort == "file":
        return ["path", "line", "id"]
    if query.sort == "newest":
        return [_NEWEST, "-severity_rank", "path", "line", "id"]
    return ["-severity_rank", "path", "line", "id"]


def _conditions(query: FindingQuery, states: States) -> dict[str, Q]:
    return {
        "severity": Q(severity=query.severity) if query.severity else Q(),
        "rule": Q(rule=query.rule) if query.rule else Q(),
        "status": Q(status=query.status) if query.status else Q(),
        "state": states.conditions[query.state],
    }


def matching(findings: QuerySet[Finding], query: FindingQuery, states: States) -> QuerySet[Finding]:
    """The findings the page lists for `query` (grouping, order and page aside)."""
    if query.path:
        findings = findings.filter(query.path_condition())
    for condition in _conditions(query, states).values():
        findings = findings.filter(condition)
    return findings


def build(findings: QuerySet[Finding], query: FindingQuery, states: States) -> FindingList:
    """The list for `query` over one audit's `findings`."""
    if query.path:
        findings = findings.filter(query.path_condition())
    by = _conditions(query, states)

    def others(facet: str) -> Q:
        combined = Q()
        for name, condition in by.items():
            if name != facet:
                combined &= condition
        return combined

    # Each facet counts with every filter but its own, so its other choices show their counts.
    aggregates: dict[str, Any] = {"total": Count("id", filter=others(""))}
    for severity in SEVERITIES:
        aggregates[f"severity:{severity}"] = Count("id", filter=others("severity") & Q(severity=severity))
    for status in STATUSES:
        aggregates[f"status:{status}"] = Count("id", filter=others("status") & Q(status=status))
    for state in STATES:
        aggregates[f"state:{state}"] = Count("id", filter=others("state") & states.conditions[state])
    counted = findings.aggregate(**aggregates)
    facets: dict[str, dict[str, int]] = {"severity": {}, "status": {}, "state": {}}
    for name, value in counted.items():
        if ":" in name:
            facet, choice = name.split(":")
            facets[facet][choice] = value or 0
    rules = [
        (row["rule"], row["n"])
        for row in findings.filter(others("rule")).values("rule").annotate(n=Count("id")).order_by("rule")
    ]

    selected = findings.filter(others(""))
    key_field = query.group_field
    total = counted["total"] or 0
    if key_field is None:
        rows_page = _rows_page(selected.order_by(*_row_order(query)), total, query.page)
        return FindingList(query, total, facets, rules, [], None, rows_page)

    summary = selected.values(key_field).annotate(
        n=Count("id"), top=Max("severity_rank"), new=Count("id", filter=Q(status__in=("new", "reopened")))
    )
    if query.sort == "file":
        summary = summary.order_by(key_field)
    elif query.sort == "newest":
        summary = summary.order_by("-new", "-top", "-n", key_field)
    else:
        summary = summary.order_by("-top", "-n", key_field)
    groups = [Group(row[key_field], row["n"], _RANK_NAMES.get(row["top"], "info"), row["new"]) for row in summary]
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(query.page if len(groups) > 1 else 1)
    shown: list[Group] = list(page.object_list)
    rows_page = None
    if len(groups) == 1:
        # One group: all of its rows, a page at a time.
        rows_page = _rows_page(selected.order_by(*_row_order(query)), shown[0].count, query.page)
        shown[0].rows = list(rows_page.object_list)
    elif shown:
        by_key = {group.key: group for group in shown}
        ranked = (
            selected.filter(**{f"{key_field}__in": list(by_key)})
            .annotate(rank=Window(RowNumber(), partition_by=[F(key_field)], order_by=_order_expressions(query)))
            .filter(rank__lte=ROWS_PER_GROUP)
            .order_by(key_field, "rank")
        )
        for finding in ranked:
            by_key[getattr(finding, key_field)].rows.append(finding)
    return FindingList(query, total, facets, rules, shown, page, rows_page)


def _rows_page(rows: QuerySet[Finding], count: int, number: str) -> Page:
    paginator = Paginator(rows, ROWS_PER_PAGE)
    paginator.count = count  # known from the counts already read: no COUNT query of its own
    return paginator.get_page(number)


def _order_expressions(query: FindingQuery) -> list[Any]:
    order = []
    for item in _row_order(query):
        if isinstance(item, str):
            order.append(F(item[1:]).desc() if item.startswith("-") else F(item).asc())
        else:
            order.append(item.asc())
    return order
