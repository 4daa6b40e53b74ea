from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.views import api_endpoint
from gates import services
from gates.forms import GateConditionForm
from gates.serializers import GateSerializer
from projects.access import get_audit_for_user, get_repository_for_user
from projects.models import Repository
from teams.models import Role


def _render_settings(
    request: HttpRequest, repository: Repository, form: GateConditionForm, status: int = 200
) -> HttpResponse:
    gate, conditions = services.gate_to_show(repository)
    context = {
        "repository": repository,
        "gate": gate,
        "conditions": conditions,
        "form": form,
        "result": services.result_for(repository.last_audit),
        "badge_url": request.build_absolute_uri(services.badge_path(repository)),
        "section": "gate",
    }
    return render(request, "gates/settings.html", context, status=status)


@login_required
def gate_settings(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk)
    return _render_settings(request, repository, GateConditionForm())


@login_required
@require_POST
def gate_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Admins: turn the gate on or off, add a condition, or remove one."""
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    gate = services.gate_for(repository)
    action = request.POST.get("action")
    if action == "toggle":
        gate.enabled = request.POST.get("enabled") == "1"
        gate.save(update_fields=["enabled", "updated_at"])
    elif action == "add":
        form = GateConditionForm(request.POST)
        if not form.is_valid():
            return _render_settings(request, repository, form, status=400)
        condition = form.save(commit=False)
        condition.gate = gate
        condition.save()
    elif action == "delete":
        get_object_or_404(gate.conditions, pk=request.POST.get("condition")).delete()
    else:
        return HttpResponse("Unknown action", status=400)
    if repository.last_audit is not None:
        services.evaluate(repository.last_audit)
    messages.success(request, "Quality gate saved.")
    return redirect("gate_settings", repository.pk)


BADGE_COLOURS = {"passed": "#2e7d32", "failed": "#c62828", None: "#757575"}


@require_GET
def gate_badge(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """An SVG badge; no login, the URL's token is the per-repository signature."""
    if not services.badge_token_valid(pk, token):
        raise Http404("No such badge")
    repository = Repository.objects.select_related("last_audit").filter(pk=pk).first()
    if repository is None:
        raise Http404("No such badge")
    status = services.status_for(repository.last_audit)
    value = status or "none"
    label = "quality gate"
    label_width, value_width = 6 * len(label) + 12, 7 * len(value) + 12
    svg = render_to_string(
        "gates/badge.svg",
        {
            "label": label,
            "value": value,
            "colour": BADGE_COLOURS.get(status, BADGE_COLOURS[None]),
            "label_width": label_width,
            "value_width": value_width,
            "width": label_width + value_width,
            "label_x": label_width / 2,
            "value_x": label_width + value_width / 2,
        },
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "no-cache, max-age=0"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@extend_schema(summary="The quality gate of a project's last audit", responses=GateSerializer,
               tags=["quality gate"])
@api_endpoint("GET")  # the personal API tokens, like the rest of /api/v1/
def api_repository_gate(request: Request, pk: int) -> Response:
    """The gate of a repository's last audit: status passed, failed or null (no audit, gate off)."""
    repository = get_repository_for_user(request, pk)  # type: ignore[arg-type]
    return Response(GateSerializer(services.as_dict(repository, repository.last_audit)).data)


@extend_schema(summary="The quality gate's verdict on one audit", responses=GateSerializer, tags=["quality gate"])
@api_endpoint("GET")  # the personal API tokens, like the rest of /api/v1/
def api_audit_gate(request: Request, pk: int) -> Response:
    audit = get_audit_for_user(request, pk)  # type: ignore[arg-type]
    return Response(GateSerializer(services.as_dict(audit.repository, audit)).data)
