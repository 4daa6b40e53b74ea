"""The only ways views reach team-owned objects: scoped to the requesting user's teams.

Another team's object answers 404 (it is not acknowledged to exist); an object the user can
see but a role too low for the action answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from teams.models import ROLE_RANK, Membership, Role

SESSION_KEY = "current_team_id"


def memberships_for(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name", "team_id")


def request_memberships(request: HttpRequest) -> list[Membership]:
    """The user's memberships with their teams, read once per request.

    The header, the access checks and the view all ask; one query serves them all.
    """
    cached: list[Membership] | None = getattr(request, "_memberships", None)
    if cached is None:
        cached = list(memberships_for(request.user))
        request._memberships = cached  # type: ignore[attr-defined]
    return cached


def membership_in(request: HttpRequest, team_id: int | None) -> Membership | None:
    return next((m for m in request_memberships(request) if m.team_id == team_id), None)


def forget_memberships(request: HttpRequest) -> None:
    """For a view that changes the user's memberships and then renders in the same request."""
    for name in ("_memberships", "_current_membership"):
        if hasattr(request, name):
            delattr(request, name)


def require_role(membership: Membership, role: str) -> None:
    if ROLE_RANK[membership.role] < ROLE_RANK[role]:
        raise PermissionDenied(f"This needs the {Role(role).label.lower()} role or higher.")


def get_membership(request: HttpRequest, team_id: int, role: str = Role.VIEWER) -> Membership:
    membership = membership_in(request, team_id)
    if membership is None:
        raise Http404("No such team")
    require_role(membership, role)
    return membership


def current_membership(request: HttpRequest) -> Membership | None:
    """The team picked in the switcher (kept in the session), else the user's first team."""
    cached = getattr(request, "_current_membership", None)
    if cached is not None:
        return cached
    memberships = request_memberships(request)
    team_id = request.session.get(SESSION_KEY)
    membership = membership_in(request, team_id) if team_id else None
    if membership is None:
        membership = memberships[0] if memberships else None
        if membership is not None:
            request.session[SESSION_KEY] = membership.team_id
    request._current_membership = membership  # type: ignore[attr-defined]
    return membership


def set_current_team(request: HttpRequest, membership: Membership) -> None:
    request.session[SESSION_KEY] = membership.team_id
    forget_memberships(request)  # the membership may be new
    request._current_membership = membership  # type: ignore[attr-defined]
