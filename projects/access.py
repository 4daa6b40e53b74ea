"""Scoped lookups for repositories, audits and findings (see teams.access for the rules)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from projects.models import Audit, Finding, Repository
from teams.access import membership_in, request_memberships, require_role
from teams.models import Membership, Role


def repositories_for(request: HttpRequest) -> QuerySet[Repository]:
    """The repositories of all the requesting user's teams."""
    return Repository.objects.filter(team_id__in=_team_ids(request))


def repositories_of(membership: Membership) -> QuerySet[Repository]:
    """The repositories of one of the user's teams (the membership is the user's own)."""
    return Repository.objects.filter(team_id=membership.team_id)


def _membership(request: HttpRequest, team_id: int) -> Membership:
    membership = membership_in(request, team_id)
    if membership is None:  # cannot happen for objects found via the scoped querysets
        raise Http404
    return membership


def _team_ids(request: HttpRequest) -> list[int]:
    """The requesting user's teams, from the memberships already read for this request."""
    return [membership.team_id for membership in request_memberships(request)]


def get_repository_for_user(request: HttpRequest, pk: int, role: str = Role.VIEWER) -> Repository:
    """The repository, with `.membership` set to the user's; 404 outside their teams, 403 below `role`."""
    repository = (
        Repository.objects.filter(pk=pk, team_id__in=_team_ids(request)).select_related("team", "last_audit").first()
    )
    if repository is None:
        raise Http404("No such repository")
    repository.membership = _membership(request, repository.team_id)  # type: ignore[attr-defined]
    require_role(repository.membership, role)  # type: ignore[attr-defined]
    return repository


def get_audit_for_user(request: HttpRequest, pk: int, role: str = Role.VIEWER) -> Audit:
    audit = (
        Audit.objects.filter(pk=pk, repository__team_id__in=_team_ids(request))
        .select_related("repository", "repository__team")
        .first()
    )
    if audit is None:
        raise Http404("No such audit")
    audit.membership = _membership(request, audit.repository.team_id)  # type: ignore[attr-defined]
    require_role(audit.membership, role)  # type: ignore[attr-defined]
    return audit


def get_finding_for_user(request: HttpRequest, pk: int, role: str = Role.VIEWER) -> Finding:
    finding = (
        Finding.objects.filter(pk=pk, audit__repository__team_id__in=_team_ids(request))
        .select_related("audit", "audit__repository")
        .first()
    )
    if finding is None:
        raise Http404("No such finding")
    finding.membership = _membership(request, finding.audit.repository.team_id)  # type: ignore[attr-defined]
    require_role(finding.membership, role)  # type: ignore[attr-defined]
    return finding
