"""The pages around the API: personal tokens (create, revoke) and a readable API reference."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularSwaggerSplitView

from api.models import ApiToken

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# The choices of a new token's lifetime: form value -> (days, None for never; label).
TOKEN_LIFETIMES = {
    "": (None, "never"),
    "30": (30, "in 30 days"),
    "90": (90, "in 90 days"),
    "365": (365, "in a year"),
}


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_token: str | None = None
    error = ""
    name, expires = "", ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        expires = request.POST.get("expires", "")
        if not name:
            error = "Give the token a name, so you know later what uses it."
        elif len(name) > 100:
            error = "Keep the name under 100 characters."
        elif expires not in TOKEN_LIFETIMES:
            error = "Pick when the token expires from the list."
        else:
            days = TOKEN_LIFETIMES[expires][0]
            expires_at = timezone.now() + timedelta(days=days) if days else None
            _, new_token = ApiToken.issue(request.user, name, expires_at)
            name, expires = "", ""
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user),
            "new_token": new_token,
            "error": error,
            "lifetimes": [(value, label) for value, (_, label) in TOKEN_LIFETIMES.items()],
            "name": name,
            "expires": expires,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the user's own tokens: anyone else's id is a 404.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.delete()
    messages.success(request, f"Revoked the token “{token.name}”. Anything using it can no longer call the API.")
    return redirect("api_tokens")


def _operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for path, item in (schema.get("paths") or {}).items():
        for method in HTTP_METHODS:
            op = item.get(method)
            if not op:
                continue
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary") or op.get("operationId"),
                    "parameters": op.get("parameters") or [],
                    "responses": sorted((op.get("responses") or {}).keys()),
                }
            )
    return rows


@login_required
def docs(request: HttpRequest) -> HttpResponse:
    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    return render(request, "api/docs.html", {"operations": _operations(schema), "info": schema.get("info", {})})


# Swagger UI, served from drf-spectacular-sidecar's files (no CDN), its start-up script a separate
# same-origin file as the Content-Security-Policy wants.
interactive_docs = SpectacularSwaggerSplitView.as_view(
    url_name="api_schema", template_name="api/swagger_ui.html", title="Convex Auditor API"
)
