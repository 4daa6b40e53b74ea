from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def teams(request: HttpRequest) -> dict[str, Any]:
    """The current team and the user's other teams, for the team switcher in the header."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    from teams.access import current_membership, request_memberships

    return {
        "current_membership": current_membership(request),
        "all_memberships": request_memberships(request),
    }
