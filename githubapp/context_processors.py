from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from githubapp import client


def github_app(request: HttpRequest) -> dict[str, Any]:
    """`github_app`: whether the App is configured, so templates show its parts only then."""
    return {"github_app": client.configured()}
