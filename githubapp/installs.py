"""Binding an installation to a team, and connecting the repositories a user picks from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.socialaccount.models import SocialToken
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest

from githubapp import client, services
from githubapp.models import GitHubRepository, Installation
from projects import gitops, pipeline
from projects.models import Audit, Repository
from teams.access import current_membership, membership_in, request_memberships, require_role
from teams.models import Membership, Role, Team

MAX_LISTED_PAGES = 10  # a search reads at most 1,000 repositories of an installation


class BindError(Exception):
    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


def membership_for(request: HttpRequest, team_id: int | None) -> Membership | None:
    """The membership of the team the connect request named, else the current team's."""
    if team_id is not None:
        return membership_in(request, team_id)
    return current_membership(request)


def github_login_token(user) -> str | None:
    """The user's GitHub login token, kept by allauth when they signed in with GitHub."""
    token = (
        SocialToken.objects.filter(account__user=user, account__provider="github")
        .order_by("-id")
        .values_list("token", flat=True)
        .first()
    )
    return token or None


def bind(user, team: Team, installation_id: int) -> Installation:
    """Bind the installation to `team`, once GitHub confirms `user` can see it."""
    token = github_login_token(user)
    if token is None:
        raise BindError(
            "Connect your GitHub sign-in first: we check with GitHub that your account can see the "
            "installation before it is bound to your team.",
            status=403,
        )
    gh = client.user(token)
    seen = None
    try:
        for item in client.pages(
            lambda page: gh.rest.apps.list_installations_for_authenticated_user(per_page=100, page=page),
            lambda data: data.installations,
        ):
            if item.id == installation_id:
                seen = item
                break
    except client.RateLimited as error:
        raise BindError(str(error), status=503) from None
    except client.GitHubError as error:
        if client.status_of(error) == 401:
            raise BindError("GitHub refused your sign-in token; sign in with GitHub again.", status=403) from None
        raise BindError("GitHub did not answer; try again in a moment.", status=502) from None
    if seen is None:
        raise BindError("Your GitHub account cannot see that installation, so it was not connected.", status=403)
    account = seen.account
    login = getattr(account, "login", None) or getattr(account, "slug", None) or ""
    kind = getattr(account, "type", None) or ("Enterprise" if getattr(account, "slug", None) else "")
    with transaction.atomic():
        installation, _ = Installation.objects.select_for_update().get_or_create(
            installation_id=installation_id, defaults={"account_login": login[:100], "account_type": kind[:20]}
        )
        if installation.team_id not in (None, team.pk) and installation.deleted_at is None:
            raise BindError("That installation is already connected to another team.", status=409)
        installation.team = team
        installation.bound_by = user
        installation.account_login = login[:100] or installation.account_login
        installation.account_type = kind[:20] or installation.account_type
        installation.deleted_at = None
        installation.save()
    return installation


def installation_for_user(request: HttpRequest, pk: int, role: str = Role.VIEWER) -> Installation:
    team_ids = [m.team_id for m in request_memberships(request)]
    installation = Installation.objects.filter(pk=pk, team_id__in=team_ids, deleted_at__isnull=True).first()
    if installation is None:
        raise Http404("No such installation")
    membership = membership_in(request, installation.team_id)
    assert membership is not None
    require_role(membership, role)
    return installation


@dataclass
class Listing:
    repositories: list = field(default_factory=list)
    total: int = 0
    page: int = 1


def list_repositories(installation: Installation, query: str, page: int, per_page: int) -> Listing:
    """One page of the installation's repositories; with a query, the matches among all of them."""
    gh = client.installation(installation.installation_id)
    if not query:
        with client.call():
            data = gh.rest.apps.list_repos_accessible_to_installation(per_page=per_page, page=page).parsed_data
        return Listing(list(data.repositories), data.total_count, page)
    needle = query.lower()
    matches = [
        repo
        for repo in client.pages(
            lambda n: gh.rest.apps.list_repos_accessible_to_installation(per_page=100, page=n),
            lambda data: data.repositories,
            limit=MAX_LISTED_PAGES,
        )
        if needle in repo.full_name.lower() or needle in (repo.description or "").lower()
    ]
    start = (page - 1) * per_page
    return Listing(matches[start : start + per_page], len(matches), page)


def connected_ids(installation: Installation) -> set[int]:
    return set(installation.repositories.filter(active=True).values_list("github_id", flat=True))


def connect_repositories(user, installation: Installation, github_ids: list[int]) -> tuple[list[Repository], list[str]]:
    """Connect the ticked repositories (each checked against the installation's own list) and
    queue their first audits; the engine's discovery finds each Convex folder."""
    gh = client.installation(installation.installation_id)
    wanted = set(github_ids)
    found = [
        repo
        for repo in client.pages(
            lambda n: gh.rest.apps.list_repos_accessible_to_installation(per_page=100, page=n),
            lambda data: data.repositories,
            limit=MAX_LISTED_PAGES,
        )
        if repo.id in wanted
    ]
    connected: list[Repository] = []
    skipped: list[str] = []
    for repo in found:
        url = services.clone_url(repo.full_name, repo.clone_url)
        branch = gitops.validate_branch(repo.default_branch or "main")
        with transaction.atomic():
            link = GitHubRepository.objects.filter(
                installation=installation, github_id=repo.id, repository__team_id=installation.team_id
            ).first()
            if link is not None:
                if link.active:
                    skipped.append(repo.full_name)
                    continue
                link.active = True
                link.save(update_fields=["active"])
                repository = link.repository
            else:
                try:
                    with transaction.atomic():
                        repository = Repository.objects.create(
                            team_id=installation.team_id,
                            name=repo.full_name[:200],
                            url=url,
                            branch=branch,
                            convex_dir="",
                            created_by=user,
                        )
                except IntegrityError:
                    skipped.append(repo.full_name)
                    continue
                GitHubRepository.objects.create(
                    repository=repository, installation=installation, github_id=repo.id, full_name=repo.full_name
                )
            pipeline.queue_audit(repository, Audit.Trigger.MANUAL, user=user)
        connected.append(repository)
    return connected, skipped
