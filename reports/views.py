"""The read-side pages: projects, an audit's findings, schema map, index map, endpoints, history,
rules, and the per-audit exports.

Team data is reached only through projects.access (another team's object is a 404, an action
above the user's role a 403). Each page runs a fixed number of queries however many findings
an audit has; tests/web/test_report_queries.py holds them to that.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from auditor.engine.ruleblocks import BLOCK_TITLES, block_of
from auditor.engine.rules import all_rules, rule_docs
from gates.services import result_for, statuses_for
from projects import pipeline
from projects.access import get_audit_for_user, get_repository_for_user, repositories_of
from projects.models import Audit, Finding, InventorySnapshot, Repository
from projects.scoring import HEALTH_FORMULA
from reports import exports, findings, fragments
from reports.context import CodeHighlighter
from reports.diff import diff_audits
from reports.findings import GROUPINGS, SORTS, FindingQuery, States
from reports.queries import (
    LISTED_AUDIT_FIELDS,
    PROJECTS_PER_PAGE,
    SPARKLINE_AUDITS,
    add_trend_scores,
    paginate,
    project_rows,
)
from reports.schema_diagram import diagram_data, mermaid_schema
from reports.svg import sparkline
from teams.access import current_membership
from teams.models import Role
from triage import state as finding_state
from triage.models import TriageState

HISTORY_AUDITS = 50
# What the history's table of audits shows (the engine's stats and score stay unread).
HISTORY_AUDIT_FIELDS = (*LISTED_AUDIT_FIELDS, "trigger", "commit_message", "fixed_count")
CHART_AUDITS = 30
DIFF_CHOICES = 100


# --- projects --------------------------------------------------------------------------------


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        return redirect("team_list")
    repositories = repositories_of(membership)
    page = paginate(repositories, request.GET.get("page"), PROJECTS_PER_PAGE)
    rows = project_rows(page.object_list)
    gates = statuses_for([row.last_done.pk for row in rows if row.last_done])
    now = timezone.now().replace(second=0, microsecond=0)
    # Keyed by every field the rows show, the role's controls and the minute ("3 minutes ago").
    # The trend lines are not read for the key: they move only with the last finished audit.
    inputs = [
        membership.can_run_audits,
        membership.can_manage_repositories,
        [[fragments.model_state(row.repository), fragments.model_state(row.latest),
          fragments.model_state(row.last_done)] for row in rows],
        gates,
        now,
    ]

    def render_table() -> str:
        add_trend_scores(rows)
        for row in rows:
            row.sparkline = _trend_line(row.scores)  # type: ignore[attr-defined]
        context = {"membership": membership, "rows": rows, "gates": gates, "now": now}
        return render_to_string("reports/_projects_table.html", context)

    table = fragments.cached_html("projects", inputs, render_table)
    return render(
        request,
        "reports/projects.html",
        {
            "membership": membership,
            "rows": rows,
            "table": table,
            "page": page,
            "health_formula": HEALTH_FORMULA,
            "sparkline_audits": SPARKLINE_AUDITS,
        },
    )


def _trend_line(all_scores: list[int | None]) -> str:
    scores = [score for score in all_scores if score is not None]
    label = "Health of the last audits: " + ", ".join(str(s) for s in scores)
    # Scaled to the scores' own range (padded), so a change of a few points is visible.
    low = max(0, min(scores, default=0) - 10)
    high = min(100, max(scores, default=100) + 10)
    return sparkline(scores, label=label, low=low, high=high)


@login_required
@require_POST
def run_audit(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.MEMBER)
    force = request.POST.get("force") == "1"
    started = timezone.now()
    audit = pipeline.queue_audit(repository, Audit.Trigger.MANUAL, user=request.user, force=force)
    if audit.created_at >= started:
        confirmation = f"Audit of {repository.name} queued."
    else:  # one was already waiting: it audits the newest commit when it starts
        confirmation = f"An audit of {repository.name} was already queued; it will audit the newest commit."
    if request.htmx:
        audit.refresh_from_db()  # a worker (or an eager test run) may have finished it already
        return _progress(request, audit, confirmation=confirmation, with_time=True)
    messages.success(request, confirmation)
    return redirect("reports:projects")


@login_required
def audit_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment htmx polls while an audit is queued or running."""
    return _progress(request, get_audit_for_user(request, pk), with_time=request.GET.get("time") == "1")


def _progress(request: HttpRequest, audit: Audit, *, confirmation: str = "", with_time: bool = False) -> HttpResponse:
    context = {"audit": audit, "confirmation": confirmation, "with_time": with_time, "now": timezone.now()}
    response = render(request, "reports/_progress.html", context)
    if request.htmx and not audit.is_active:
        # Finished: reload the page so its counts, trend and findings show the new result.
        response["HX-Refresh"] = "true"
    return response


@login_required
def latest_audit(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk)
    audit = repository.last_audit or repository.audits.order_by("-created_at", "-id").first()
    if audit is None:
        raise Http404("This repository has not been audited yet")
    return redirect("reports:audit", audit.pk)


# --- one audit ---------------------------------------------------------------------------------


def _audit_context(request: HttpRequest, pk: int, tab: str) -> dict[str, Any]:
    audit = get_audit_for_user(request, pk)
    result = audit.result
    context = {
        "audit": audit,
        "result": result,
        "repository": audit.repository,
        "membership": audit.membership,  # type: ignore[attr-defined]
        "tab": tab,
        # What triage and ignore rules take out: the header's counts, and the findings' labels.
        # The triage decisions and ignore rules behind the findings' effective states.
        "book": finding_state.book_for(audit.repository_id),
    }
    context["header"] = _audit_header(context)
    return context


def _audit_header(context: dict[str, Any]) -> SafeString:
    """The header every audit tab shows: state, commit, counts, gate, triage totals and tabs,
    cached by what it shows and the minute ("finished 3 minutes ago")."""
    audit: Audit = context["audit"]
    repository: Repository = context["repository"]
    gate_result = result_for(audit)
    now = timezone.now().replace(second=0, microsecond=0)
    header_context = {
        **{name: context[name] for name in ("audit", "result", "repository", "tab")},
        "gate_result": gate_result,
        "now": now,
    }
    inputs = [
        fragments.model_state(audit),
        fragments.model_state(context["result"]),
        fragments.model_state(repository),
        fragments.model_state(gate_result),
        context["tab"],
        now,
    ]
    return fragments.cached_html(
        "audit-header", inputs, lambda: render_to_string("reports/_audit_header.html", header_context)
    )


def _audit_body(
    context: dict[str, Any], template: str, build: Callable[[], dict[str, Any]], *inputs: object
) -> SafeString:
    """The part of an audit page below its header: cached once the audit is done (see
    reports.fragments), keyed by the audit, the repository's address and `inputs`."""
    audit: Audit = context["audit"]
    result: Audit = context["result"]
    repository: Repository = context["repository"]

    def render_body() -> str:
        return render_to_string(template, {"audit": audit, "result": result, "repository": repository, **build()})

    if audit.state != Audit.State.DONE:
        return mark_safe(render_body())  # our own template's output, escaped when it was rendered
    return fragments.cached_html(template, [*fragments.finished_audit_inputs(audit), *inputs], render_body)


@login_required
def audit(request: HttpRequest, pk: int) -> HttpResponse:
    context = _audit_context(request, pk, "findings")
    the_audit: Audit = context["audit"]
    query = FindingQuery.from_query(request.GET)
    book: finding_state.Book = context["book"]
    can_triage = context["membership"].can_run_audits
    context["query"] = query

    def build() -> dict[str, Any]:
        repository: Repository = context["repository"]
        states = States()
        listing = findings.build(Finding.objects.filter(audit_id=context["result"].pk), query, states)
        docs = rule_docs()
        rows = [row for group in listing.groups for row in group.rows]
        if listing.rows_page is not None and not listing.groups:
            rows = list(listing.rows_page.object_list)
        for group in listing.groups:
            group.doc = docs.get(group.key) if query.group == "rule" else None
            group.url = repository.file_url(the_audit.commit_sha, group.key) if query.group == "file" else None
        code = CodeHighlighter(the_audit)
        for finding in rows:
            finding.doc = docs.get(finding.rule)  # type: ignore[attr-defined]
            finding.code = code.context(finding)  # type: ignore[attr-defined]
            finding.url = repository.file_url(the_audit.commit_sha, finding.path, finding.line or None)  # type: ignore[attr-defined]
            finding.effective = book.explain(finding)  # type: ignore[attr-defined]
        return {
            "query": query,
            "listing": listing,
            "rows": rows,
            "choices": {"group": GROUPINGS, "sort": SORTS},
        }

    if the_audit.state == Audit.State.DONE:
        context["body"] = _audit_body(
            context, "reports/_findings_body.html", build,
            query.key(), book.digest(),
        )
    context["can_triage"] = can_triage
    context["triage_states"] = TriageState.choices
    return render(request, "reports/audit.html", context)


@login_required
def schema(request: HttpRequest, pk: int) -> HttpResponse:
    context = _audit_context(request, pk, "schema")

    def build() -> dict[str, Any]:
        inventory = context["audit"].result_inventory()
        schema_data = inventory.schema if inventory else None
        return {
            "inventory": inventory,
            "schema": schema_data,
            "diagram": mermaid_schema(schema_data) if schema_data else "",
            "diagram_data": diagram_data(schema_data) if schema_data else None,
            "indexes_by_table": _index_usage(inventory),
        }

    context["body"] = _audit_body(context, "reports/_schema_body.html", build)
    return render(request, "reports/schema.html", context)


def _index_usage(inventory: InventorySnapshot | None) -> dict[str, dict[str, list[dict[str, Any]]]]:
    usage: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for index in ((inventory.index_map if inventory else None) or {}).get("indexes") or []:
        usage.setdefault(index.get("table", ""), {})[index.get("name", "")] = index.get("used_by") or []
    return usage


@login_required
def index_map(request: HttpRequest, pk: int) -> HttpResponse:
    context = _audit_context(request, pk, "indexes")

    def build() -> dict[str, Any]:
        inventory = context["audit"].result_inventory()
        data = (inventory.index_map if inventory else None) or {}
        unused = data.get("unused") or []
        # Rows and summary read the one "unused" fact; inventories stored before rows carried it
        # get it from the summary's list.
        unused_keys = {(row.get("table"), row.get("name")) for row in unused}
        indexes = [index if "unused" in index else {**index, "unused": (index.get("table"), index.get("name"))
                                                     in unused_keys}
                   for index in data.get("indexes") or []]
        return {
            "inventory": inventory,
            "indexes": indexes,
            "unused": unused,
            "missing": data.get("missing") or [],
            "unindexed": data.get("unindexed_queries") or [],
        }

    context["body"] = _audit_body(context, "reports/_index_map_body.html", build)
    return render(request, "reports/index_map.html", context)


@login_required
def endpoints(request: HttpRequest, pk: int) -> HttpResponse:
    context = _audit_context(request, pk, "endpoints")

    def build() -> dict[str, Any]:
        the_audit: Audit = context["audit"]
        repository: Repository = context["repository"]
        inventory = the_audit.result_inventory()
        routes = [dict(r) for r in (inventory.http_routes if inventory else [])]
        for route in routes:
            route["url"] = repository.file_url(the_audit.commit_sha, route.get("file") or "", route.get("line"))
        functions = [dict(f) for f in (inventory.functions if inventory else [])]
        for function in functions:
            function["url"] = repository.file_url(
                the_audit.commit_sha, function.get("path") or "", function.get("line")
            )
            # A list of pairs: the template would read `args.items` as the argument named "items".
            # Sorted by name: PostgreSQL's jsonb keeps no key order, so any other order differs by database.
            args = function.get("args")
            function["arg_pairs"] = sorted(args.items()) if isinstance(args, dict) else []
        return {
            "inventory": inventory,
            "routes": routes,
            "functions": functions,
            "crons": inventory.crons if inventory else [],
        }

    context["body"] = _audit_body(context, "reports/_endpoints_body.html", build)
    return render(request, "reports/endpoints.html", context)


EXPORT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8", "sarif": "application/sarif+json"}


@login_required
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_TYPES:
        raise Http404("Unknown export format")
    the_audit = get_audit_for_user(request, pk)
    if the_audit.state != Audit.State.DONE:
        raise Http404("This audit has no results")
    name = f"audit-{the_audit.pk}-{the_audit.short_sha or 'nocommit'}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(exports.export_csv_rows(the_audit), content_type=EXPORT_TYPES[fmt])
    else:
        data = exports.export_json(the_audit) if fmt == "json" else exports.export_sarif(the_audit)
        response = JsonResponse(data, content_type=EXPORT_TYPES[fmt], json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response  # type: ignore[return-value]


# --- history -------------------------------------------------------------------------------------


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk)
    listed = repository.audits.only(*HISTORY_AUDIT_FIELDS).order_by("-created_at", "-id")
    audits = paginate(listed, request.GET.get("page"), HISTORY_AUDITS)
    # The chart and the diff pickers use the latest finished audits of the branch (pull requests'
    # audits are listed, not charted), whichever page is shown.
    done = list(
        repository.audits.filter(state=Audit.State.DONE)
        .exclude(trigger=Audit.Trigger.PULL_REQUEST)
        .only(*HISTORY_AUDIT_FIELDS)
        .order_by("-created_at", "-id")[:DIFF_CHOICES]
    )
    pair = None
    base_id, head_id = request.GET.get("base"), request.GET.get("head")
    if not (base_id and head_id) and len(done) >= 2:
        base_id, head_id = str(done[1].pk), str(done[0].pk)
    if base_id and head_id:
        pair = _history_pair(repository, base_id, head_id)

    def render_body() -> str:
        chart_audits = list(reversed(done[:CHART_AUDITS]))
        chart = {
            "labels": [f"#{a.pk} {a.short_sha}".strip() for a in chart_audits],
            "error": [a.error_count for a in chart_audits],
            "warning": [a.warning_count for a in chart_audits],
            "info": [a.info_count for a in chart_audits],
            "health": [a.health_score for a in chart_audits],
            "new": [a.new_count + a.reopened_count for a in chart_audits],
            "fixed": [a.fixed_count for a in chart_audits],
        }
        diff = diff_audits(*pair) if pair else None
        listed = list(audits.object_list)
        # order_by() drops the findings' default ordering, which DISTINCT would otherwise select too
        # (a row per finding instead of one per audit).
        new_errors = set(
            Finding.objects.filter(
                audit_id__in=[a.pk for a in listed], status__in=("new", "reopened"), severity="error"
            ).order_by().values_list("audit_id", flat=True).distinct()
        )
        return render_to_string(
            "reports/_history_body.html",
            {"audits": audits, "rows": fold_quiet_runs(listed), "new_errors": new_errors, "done": done,
             "chart": chart, "diff": diff},
        )

    # The diff of two finished audits never changes; the lists change as audits come and go.
    inputs = [
        [fragments.model_state(a) for a in audits.object_list],
        audits.number,
        audits.paginator.count,
        [fragments.model_state(a) for a in done],
        [fragments.model_state(a) for a in pair or ()],
    ]
    return render(
        request,
        "reports/history.html",
        {
            "repository": repository,
            "membership": repository.membership,  # type: ignore[attr-defined]
            "done": done,
            "body": fragments.cached_html("history", inputs, render_body),
        },
    )


QUIET_FOLD = 2  # consecutive scheduled runs without a change that fold into one row


def fold_quiet_runs(audits: list[Audit]) -> list[dict[str, Any]]:
    """The history's rows: an audit each, except that consecutive finished scheduled runs that
    changed nothing (no new, reopened or fixed finding) fold into one row."""
    rows: list[dict[str, Any]] = []
    quiet: list[Audit] = []

    def flush() -> None:
        if len(quiet) >= QUIET_FOLD:
            rows.append({"fold": list(quiet)})
        else:
            rows.extend({"audit": audit} for audit in quiet)
        quiet.clear()

    for audit in audits:
        if (
            audit.trigger == Audit.Trigger.SCHEDULE and audit.state == Audit.State.DONE
            and not (audit.new_count or audit.reopened_count or audit.fixed_count)
        ):
            quiet.append(audit)
            continue
        flush()
        rows.append({"audit": audit})
    flush()
    return rows


def _history_pair(repository: Repository, base_id: str, head_id: str) -> tuple[Audit, Audit] | None:
    try:
        ids = [int(base_id), int(head_id)]
    except ValueError:
        return None
    # Only this (already scoped) repository's audits: another repository's id is simply not found.
    found = {
        a.pk: a
        for a in repository.audits.filter(pk__in=ids, state=Audit.State.DONE).select_related(
            "repository", "reused_from"
        )
    }
    if ids[0] not in found or ids[1] not in found:
        raise Http404("No such audit of this repository")
    return found[ids[0]], found[ids[1]]


# --- rules ---------------------------------------------------------------------------------------


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    docs = rule_docs()
    filters = {name: request.GET.get(name, "").strip()[:100] for name in ("q", "severity", "category", "block")}
    words = filters["q"].lower().split()
    catalog = []
    for rule in all_rules():
        doc = docs.get(rule.id)
        block = block_of(rule.id)
        text = " ".join([rule.id, rule.title, *(doc.sections.values() if doc else ())]).lower()
        shown = (
            (not filters["severity"] or rule.severity == filters["severity"])
            and (not filters["category"] or rule.category == filters["category"])
            and (not filters["block"] or str(block or "other") == filters["block"])
            and all(word in text for word in words)
        )
        catalog.append({"rule": rule, "doc": doc, "block": block, "search_text": " ".join(text.split()),
                        "shown": shown})
    counts = {
        "severity": sorted(_tally(entry["rule"].severity for entry in catalog), key=lambda kv: SEVERITY_ORDER[kv[0]]),
        "category": _tally(entry["rule"].category for entry in catalog),
        "block": [
            (key, BLOCK_TITLES.get(int(key)) if key != "other" else "", n)
            for key, n in _tally(str(entry["block"] or "other") for entry in catalog)
        ],
    }
    return render(request, "reports/rules.html", {
        "catalog": catalog,
        "filters": {**filters, "active": any(filters.values())},
        "counts": counts,
        "shown": sum(entry["shown"] for entry in catalog),
    })


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _tally(values: Iterable[str]) -> list[tuple[str, int]]:
    return sorted(Counter(values).items())
