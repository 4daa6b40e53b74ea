"""The pages around the API: personal tokens (create, revoke) and a readable API reference."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from drf_spectacular.generators import SchemaGenerator

from api.models import ApiToken

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_token: str | None = None
    error = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name:
            error = "Give the token a name, so you know later what uses it."
        elif len(name) > 100:
            error = "Keep the name under 100 characters."
        else:
            _, new_token = ApiToken.issue(request.user, name)
    return render(
        request,
        "api/tokens.html",
        {"tokens": ApiToken.objects.filter(user=request.user), "new_token": new_token, "error": error},
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
