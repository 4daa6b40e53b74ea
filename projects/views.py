from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from projects import pipeline
from projects.access import get_repository_for_user
from projects.forms import RepositoryForm, RuleProfileForm
from projects.models import Audit
from teams.access import current_membership, require_role
from teams.models import Role


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The home page is the projects dashboard of the current team."""
    if current_membership(request) is None:
        return redirect("team_list")
    return redirect("reports:projects")


@login_required
def repository_add(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        return redirect("team_list")
    require_role(membership, Role.ADMIN)
    form = RepositoryForm(request.POST or None, team=membership.team)
    if request.method == "POST" and form.is_valid():
        repository = form.save(commit=False)
        repository.created_by = request.user
        repository.save()
        pipeline.queue_audit(repository, Audit.Trigger.MANUAL, user=request.user)
        messages.success(request, f"Connected {repository.name}; its first audit is queued.")
        return redirect("index")
    return render(request, "projects/repository_form.html", {"form": form, "membership": membership})


@login_required
def repository_settings(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    form = RepositoryForm(request.POST or None, instance=repository, team=repository.team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the settings of {repository.name}.")
        return redirect("repository_settings", repository.pk)
    return render(request, "projects/repository_form.html", {"form": form, "repository": repository})


@login_required
def rule_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """Rules turned off or given another severity for this repository's next audits."""
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    form = RuleProfileForm(request.POST or None, profile=repository.rule_profile)
    if request.method == "POST" and form.is_valid():
        repository.rule_profile = form.profile()
        repository.save(update_fields=["rule_profile"])
        changed = len(repository.rule_profile.get("disable", [])) + len(repository.rule_profile.get("severity", {}))
        messages.success(
            request,
            f"Saved the rule profile ({changed} rule{'s' if changed != 1 else ''} changed). "
            "It applies from the next audit; earlier audits keep the profile they ran with.",
        )
        return redirect("rule_profile", repository.pk)
    return render(
        request,
        "projects/rule_profile.html",
        {"repository": repository, "form": form, "section": "rules"},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def repository_delete(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    name = repository.name
    repository.delete()
    messages.success(request, f"Disconnected {name} and deleted its audits.")
    return redirect("index")
