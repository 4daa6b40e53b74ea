from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from projects.access import get_audit_for_user, get_finding_for_user, get_repository_for_user
from projects.models import Finding
from teams.access import require_role
from teams.models import Role
from triage import services
from triage import state as finding_state
from triage.forms import IgnoreRuleForm, TriageForm
from triage.models import TriageState


@login_required
def finding_triage(request: HttpRequest, pk: int) -> HttpResponse:
    """A finding's triage state and history; members change it (htmx swaps the partial)."""
    finding = get_finding_for_user(request, pk)
    repository = finding.audit.repository
    form = TriageForm(request.POST or None)
    if request.method == "POST":
        require_role(finding.membership, Role.MEMBER)  # type: ignore[attr-defined]
        if form.is_valid():
            try:
                services.decide(
                    repository,
                    finding.fingerprint,
                    form.cleaned_data["state"],
                    user=request.user,
                    comment=form.cleaned_data["comment"],
                    finding=finding,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                services.refresh_gate(repository)
                if not request.htmx:
                    messages.success(request, "Triage saved.")
                    return redirect("finding_triage", finding.pk)
                form = TriageForm()
    context = {
        "finding": finding,
        "repository": repository,
        "form": form,
        "state": services.state_of(repository.pk, finding.fingerprint),
        "events": services.history(repository.pk, finding.fingerprint),
        "can_triage": finding.membership.can_run_audits,  # type: ignore[attr-defined]
        "states": TriageState,
    }
    template = "triage/_triage_panel.html" if request.htmx else "triage/finding.html"
    # htmx swaps only 2xx answers: the panel with the form's errors must come back as one.
    status = 400 if request.method == "POST" and form.errors and not request.htmx else 200
    return render(request, template, context, status=status)


@login_required
@require_POST
def bulk_triage(request: HttpRequest, pk: int) -> HttpResponse:
    """One decision and one comment for the findings picked on an audit's page: rows by id,
    and whole groups (a rule or a file) under the filters the page showed."""
    from reports.findings import FindingQuery, States, matching  # the page's filters; reports builds on triage

    audit = get_audit_for_user(request, pk, Role.MEMBER)
    repository = audit.repository
    query = FindingQuery.from_query(QueryDict(request.POST.get("query", "")))
    back = reverse("reports:audit", args=[audit.pk]) + (f"?{query.key()}" if query.key() else "")
    findings = Finding.objects.filter(audit_id=audit.result.pk)
    ids = [int(value) for value in request.POST.getlist("finding") if value.isdigit()]
    groups = [value for value in request.POST.getlist("group") if value][:500]
    picked = Q(pk__in=ids) if ids else Q(pk__lt=0)
    if groups and query.group_field:
        shown = matching(findings, query, States())
        picked |= Q(pk__in=shown.filter(**{f"{query.group_field}__in": groups}).values("pk"))
    chosen = dict(findings.filter(picked).values_list("fingerprint", "pk"))
    if not chosen:
        messages.error(request, "Select at least one finding or group to triage.")
        return redirect(back)
    state = request.POST.get("state", "")
    try:
        changed = services.decide_many(
            repository, chosen, state, user=request.user, comment=request.POST.get("comment", "")[:4000]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    services.refresh_gate(repository)
    label = TriageState(state).label.lower()
    unchanged = len(chosen) - changed
    messages.success(
        request,
        f"Marked {changed} finding{'s' if changed != 1 else ''} as {label}."
        + (f" {unchanged} already were." if unchanged else ""),
    )
    return redirect(back)


@login_required
def ignore_rules(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk)
    form = IgnoreRuleForm(request.POST or None)
    if request.method == "POST":
        require_role(repository.membership, Role.ADMIN)  # type: ignore[attr-defined]
        if form.is_valid():
            rule = services.add_ignore_rule(repository, user=request.user, **form.cleaned_data)
            services.refresh_gate(repository)
            messages.success(request, f"Ignoring {rule.rule} in {rule.path_glob}.")
            return redirect("ignore_rules", repository.pk)
    rules = list(repository.ignore_rules.select_related("created_by"))  # type: ignore[attr-defined]
    last_audit = repository.last_audit
    counts = services.audit_counts(last_audit) if last_audit else None
    matched = services.ignored_by_rule(last_audit, finding_state.book_for(repository.pk)) if last_audit else None
    for rule in rules:
        rule.matched = matched.get(rule.pk, 0) if matched is not None else None  # type: ignore[attr-defined]
    return render(
        request,
        "triage/ignore_rules.html",
        {"repository": repository, "rules": rules, "form": form, "counts": counts, "section": "ignore"},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def ignore_rule_delete(request: HttpRequest, pk: int, rule_id: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    rule = get_object_or_404(repository.ignore_rules, pk=rule_id)  # type: ignore[attr-defined]
    services.remove_ignore_rule(rule)
    services.refresh_gate(repository)
    messages.success(request, "Ignore rule removed.")
    return redirect("ignore_rules", repository.pk)
