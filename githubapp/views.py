"""The App's webhook endpoint, the install flow (connect, setup callback, repository picker)."""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from githubapp import client, installs, services
from githubapp.forms import RepositorySettingsForm
from githubapp.models import AppDelivery, GitHubRepository, Installation
from projects.access import get_repository_for_user
from teams.access import current_membership, require_role
from teams.models import Role
from webhooks import services as webhook_services

log = logging.getLogger(__name__)

SESSION_KEY = "githubapp.install"


def _require_app() -> None:
    if not client.configured():
        raise Http404("The GitHub App is not configured")


def _current_team(request: HttpRequest):
    """The user's current team membership, once the App is known to be configured."""
    _require_app()
    membership = current_membership(request)
    if membership is None:
        raise Http404("No team")
    return membership


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """GitHub → the App. Signature first; each delivery id acts once; replays change nothing."""
    _require_app()
    body = webhook_services.read_github_body(request)
    if body is None:
        return JsonResponse({"status": "too large"}, status=413)
    if not services.signature_valid(body, request.headers.get("X-Hub-Signature-256")):
        log.warning("GitHub App webhook: bad signature on delivery %r", request.headers.get("X-GitHub-Delivery"))
        return JsonResponse({"status": "bad signature"}, status=403)
    event = request.headers.get("X-GitHub-Event", "")[:50]
    delivery_id = request.headers.get("X-GitHub-Delivery", "")[:100]
    if not event or not delivery_id:
        return JsonResponse({"status": "missing X-GitHub-Event or X-GitHub-Delivery"}, status=400)
    if event == "ping":
        return JsonResponse({"status": "pong"})
    try:
        payload = json.loads(body)
    except ValueError:
        return JsonResponse({"status": "body is not JSON"}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"status": "body is not a JSON object"}, status=400)
    installation = (payload.get("installation") or {}).get("id")
    try:
        with transaction.atomic():
            # The unique delivery id is claimed first: a replay fails here and acts on nothing.
            delivery = AppDelivery.objects.create(
                delivery_id=delivery_id,
                event=event,
                action=str(payload.get("action") or "")[:50],
                installation_id=installation if isinstance(installation, int) else None,
            )
            outcome = services.handle(delivery, payload)
            delivery.status, delivery.detail, delivery.audit = outcome.status, outcome.detail, outcome.audit
            delivery.save(update_fields=["status", "detail", "audit"])
    except IntegrityError:
        return JsonResponse({"status": "duplicate", "delivery": delivery_id})
    body_out: dict[str, Any] = {"status": delivery.status, "detail": delivery.detail}
    if delivery.audit_id:
        body_out["audit"] = delivery.audit_id
    return JsonResponse(body_out, status=202)


# --- install flow ---------------------------------------------------------------------------------


@login_required
@require_POST
def connect(request: HttpRequest) -> HttpResponse:
    """"Connect GitHub": remember the team and a state value, then off to the App's install page."""
    membership = _current_team(request)
    require_role(membership, Role.ADMIN)
    state = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {"state": state, "team": membership.team_id}
    return HttpResponseRedirect(
        f"{settings.GITHUB_WEB_URL}/apps/{settings.GITHUB_APP_SLUG}/installations/new?state={state}"
    )


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """GitHub's setup callback: check the user can see the installation, then bind it to the team."""
    _require_app()
    pending = request.session.get(SESSION_KEY) or {}
    raw_id = request.GET.get("installation_id", "")
    if request.GET.get("setup_action") == "request" and not raw_id:
        return _setup_problem(
            request,
            "The installation is waiting for an owner of the GitHub organisation to approve it. "
            "Once approved, connect it from the GitHub page here.",
            status=202,
        )
    if not raw_id.isdigit():
        return _setup_problem(request, "GitHub did not say which installation to connect.", status=400)
    state = request.GET.get("state")
    if pending and state and not secrets.compare_digest(str(pending.get("state")), state):
        return _setup_problem(request, "This link does not belong to your connect request; start again.", status=400)
    membership = installs.membership_for(request, pending.get("team"))
    if membership is None:
        raise Http404("No team")
    require_role(membership, Role.ADMIN)
    try:
        installation = installs.bind(request.user, membership.team, int(raw_id))
    except installs.BindError as error:
        return _setup_problem(request, str(error), status=error.status)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, f"GitHub installation on {installation.account_login} connected to {membership.team}.")
    return redirect("githubapp:repositories", installation.pk)


def _setup_problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "githubapp/setup_problem.html",
        {"message": message, "needs_github_login": "GitHub sign-in" in message},
        status=status,
    )


PER_PAGE = 30


@login_required
def repositories(request: HttpRequest, pk: int) -> HttpResponse:
    """The installation's repositories, searchable and paged; ticked ones are connected."""
    _require_app()
    installation = installs.installation_for_user(request, pk, Role.ADMIN)
    if request.method == "POST":
        ticked = [value for value in request.POST.getlist("repository") if value.isdigit()]
        if not ticked:
            messages.error(request, "Tick at least one repository.")
            return redirect(reverse("githubapp:repositories", args=[pk]) + "?" + request.GET.urlencode())
        try:
            connected, skipped = installs.connect_repositories(request.user, installation, [int(v) for v in ticked])
        except client.RateLimited as error:
            messages.error(request, str(error))
            return redirect("githubapp:repositories", pk)
        except client.GitHubError as error:
            log.warning("listing installation %s failed: %r", installation.installation_id, error)
            messages.error(request, "GitHub did not answer; nothing was connected. Try again.")
            return redirect("githubapp:repositories", pk)
        for repository in connected:
            messages.success(request, f"Connected {repository.name}; its first audit is queued.")
        for name in skipped:
            messages.info(request, f"{name} was already connected.")
        return redirect("index")
    query = (request.GET.get("q") or "").strip()[:100]
    try:
        page_number = max(1, int(request.GET.get("page") or 1))
    except ValueError:
        page_number = 1
    try:
        listing = installs.list_repositories(installation, query, page_number, PER_PAGE)
    except client.RateLimited as error:
        return render(request, "githubapp/repositories.html", {"installation": installation, "error": str(error)})
    except client.GitHubError as error:
        log.warning("listing installation %s failed: %r", installation.installation_id, error)
        return render(
            request,
            "githubapp/repositories.html",
            {"installation": installation, "error": "GitHub did not answer. Try again in a moment."},
            status=502,
        )
    return render(
        request,
        "githubapp/repositories.html",
        {
            "installation": installation,
            "listing": listing,
            "query": query,
            "connected": installs.connected_ids(installation),
            "paginator": Paginator(range(listing.total), PER_PAGE) if listing.total else None,
        },
    )


@login_required
def installations(request: HttpRequest) -> HttpResponse:
    """The team's GitHub installations, and the "Connect GitHub" button."""
    membership = _current_team(request)
    rows = Installation.objects.filter(team_id=membership.team_id).order_by("account_login")
    return render(request, "githubapp/installations.html", {"installations": rows, "membership": membership})


@login_required
def repository_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Per repository: the pull request comment on or off, SARIF upload to code scanning."""
    _require_app()
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    link = GitHubRepository.objects.filter(repository=repository).select_related("installation").first()
    form = RepositorySettingsForm(request.POST or None, instance=link) if link else None
    if request.method == "POST":
        if form is None:
            raise Http404("Not connected through the GitHub App")
        if form.is_valid():
            form.save()
            messages.success(request, "GitHub settings saved.")
            return redirect("githubapp:repository_settings", repository.pk)
    return render(
        request,
        "githubapp/repository_settings.html",
        {"repository": repository, "link": link, "form": form, "section": "github"},
        status=400 if form is not None and form.errors else 200,
    )
