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


def require_role(membership: Membership, role: str) -> None:
    if ROLE_RANK[membership.role] < ROLE_RANK[role]:
        raise PermissionDenied(f"This needs the {Role(role).label.lower()} role or higher.")


def get_membership(request: HttpRequest, team_id: int, role: str = Role.VIEWER) -> Membership:
    membership = memberships_for(request.user).filter(team_id=team_id).first()
    if membership is None:
        raise Http404("No such team")
    require_role(membership, role)
    return membership


def current_membership(request: HttpRequest) -> Membership | None:
    """The team picked in the switcher (kept in the session), else the user's first team."""
    cached = getattr(request, "_current_membership", None)
    if cached is not None:
        return cached
    memberships = memberships_for(request.user)
    team_id = request.session.get(SESSION_KEY)
    membership = memberships.filter(team_id=team_id).first() if team_id else None
    if membership is None:
        membership = memberships.first()
        if membership is not None:
            request.session[SESSION_KEY] = membership.team_id
    request._current_membership = membership  # type: ignore[attr-defined]
    return membership


def set_current_team(request: HttpRequest, membership: Membership) -> None:
    request.session[SESSION_KEY] = membership.team_id
    request._current_membership = membership  # type: ignore[attr-defined]
