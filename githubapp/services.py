"""What the App's webhook deliveries do, and the bindings between installations, teams and
repositories. The pull request publishing lives in githubapp.publish."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from githubapp import client
from githubapp.models import AppDelivery, GitHubRepository, Installation, PullRequest, PullRequestAudit
from projects import gitops, pipeline
from projects.models import Audit, Repository

log = logging.getLogger(__name__)

ZERO_SHA = "0" * 40
PULL_REQUEST_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")


def signature_valid(body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256 against the App's webhook secret, compared in constant time."""
    secret = settings.GITHUB_APP_WEBHOOK_SECRET
    if not secret or not header:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


def _is_sha(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 40 and all(c in "0123456789abcdef" for c in value)


class Outcome:
    def __init__(self, status: str, detail: str, audit: Audit | None = None) -> None:
        self.status, self.detail, self.audit = status, detail[:300], audit


def handle(delivery: AppDelivery, payload: dict[str, Any]) -> Outcome:
    """Act on one verified delivery (inside the transaction that recorded it)."""
    handler = HANDLERS.get(delivery.event)
    if handler is None:
        return Outcome(AppDelivery.Status.IGNORED, f"{delivery.event} events are not used")
    return handler(delivery, payload)


# --- installations -----------------------------------------------------------------------------


def _installation_from(payload: dict[str, Any]) -> Installation | None:
    data = payload.get("installation") or {}
    if not isinstance(data.get("id"), int):
        return None
    account = data.get("account") or {}
    installation, _ = Installation.objects.get_or_create(
        installation_id=data["id"],
        defaults={
            "account_login": str(account.get("login") or "")[:100],
            "account_type": str(account.get("type") or "")[:20],
        },
    )
    return installation


def _on_installation(delivery: AppDelivery, payload: dict[str, Any]) -> Outcome:
    installation = _installation_from(payload)
    if installation is None:
        return Outcome(AppDelivery.Status.IGNORED, "no installation in the payload")
    action = delivery.action
    now = timezone.now()
    if action == "created":
        installation.deleted_at = None
        installation.suspended_at = None
        installation.save(update_fields=["deleted_at", "suspended_at"])
        return Outcome(AppDelivery.Status.HANDLED, f"installed on {installation.account_login}")
    if action == "deleted":
        installation.deleted_at = now
        installation.save(update_fields=["deleted_at"])
        stopped = installation.repositories.filter(active=True).update(active=False)
        return Outcome(AppDelivery.Status.HANDLED, f"uninstalled; {stopped} repositories stop auditing")
    if action == "suspend":
        installation.suspended_at = now
        installation.save(update_fields=["suspended_at"])
        return Outcome(AppDelivery.Status.HANDLED, "suspended; its repositories stop auditing")
    if action == "unsuspend":
        installation.suspended_at = None
        installation.save(update_fields=["suspended_at"])
        return Outcome(AppDelivery.Status.HANDLED, "unsuspended")
    return Outcome(AppDelivery.Status.IGNORED, f"installation.{action} changes nothing here")


def _on_installation_repositories(delivery: AppDelivery, payload: dict[str, Any]) -> Outcome:
    installation = _installation_from(payload)
    if installation is None:
        return Outcome(AppDelivery.Status.IGNORED, "no installation in the payload")
    added = [r["id"] for r in payload.get("repositories_added") or [] if isinstance(r.get("id"), int)]
    removed = [r["id"] for r in payload.get("repositories_removed") or [] if isinstance(r.get("id"), int)]
    links = installation.repositories
    # Repositories are connected by ticking them; one the App gets back resumes where it stopped.
    resumed = links.filter(github_id__in=added, active=False).update(active=True) if added else 0
    stopped = links.filter(github_id__in=removed, active=True).update(active=False) if removed else 0
    return Outcome(AppDelivery.Status.HANDLED, f"{resumed} connected repositories resumed, {stopped} stopped")


# --- pushes and pull requests -------------------------------------------------------------------


def _links_for(payload: dict[str, Any]) -> list[GitHubRepository]:
    repository = payload.get("repository") or {}
    installation = (payload.get("installation") or {}).get("id")
    if not isinstance(repository.get("id"), int):
        return []
    links = GitHubRepository.objects.filter(
        github_id=repository["id"],
        active=True,
        installation__deleted_at__isnull=True,
        installation__suspended_at__isnull=True,
    ).select_related("repository", "installation")
    if isinstance(installation, int):
        links = links.filter(installation__installation_id=installation)
    return list(links)


def _on_push(delivery: AppDelivery, payload: dict[str, Any]) -> Outcome:
    ref, sha = str(payload.get("ref") or ""), payload.get("after")
    if sha == ZERO_SHA or payload.get("deleted"):
        return Outcome(AppDelivery.Status.IGNORED, "the branch was deleted")
    if not _is_sha(sha):
        return Outcome(AppDelivery.Status.IGNORED, "no commit in the push")
    tracking = [link for link in _links_for(payload) if ref == f"refs/heads/{link.repository.branch}"]
    if not tracking:
        return Outcome(AppDelivery.Status.IGNORED, f"no connected repository tracks {ref}")
    audits = [pipeline.queue_audit(link.repository, Audit.Trigger.WEBHOOK, sha=sha) for link in tracking]
    return Outcome(AppDelivery.Status.QUEUED, f"audit of {sha[:7]}", audits[0])


def latest_branch_audit(repository: Repository, branch: str) -> Audit | None:
    """The latest done audit of `branch`, pull request audits left out."""
    return (
        Audit.objects.filter(repository=repository, state=Audit.State.DONE, branch=branch)
        .exclude(trigger=Audit.Trigger.PULL_REQUEST)
        .order_by("-finished_at", "-id")
        .first()
    )


def _on_pull_request(delivery: AppDelivery, payload: dict[str, Any]) -> Outcome:
    if delivery.action not in PULL_REQUEST_ACTIONS:
        return Outcome(AppDelivery.Status.IGNORED, f"pull_request.{delivery.action} needs no audit")
    data = payload.get("pull_request") or {}
    head, base = data.get("head") or {}, data.get("base") or {}
    number = payload.get("number") or data.get("number")
    if not isinstance(number, int) or not _is_sha(head.get("sha")):
        return Outcome(AppDelivery.Status.IGNORED, "no pull request number or head commit")
    if data.get("draft") and delivery.action != "ready_for_review":
        return Outcome(AppDelivery.Status.IGNORED, "draft pull requests are audited once ready for review")
    base_ref = str(base.get("ref") or "")
    links = [link for link in _links_for(payload) if link.repository.branch == base_ref]
    if not links:
        return Outcome(AppDelivery.Status.IGNORED, f"no connected repository tracks the base branch {base_ref}")
    audit = None
    for link in links:
        audit = queue_pull_request_audit(link, number, data)
    return Outcome(AppDelivery.Status.QUEUED, f"audit of #{number} at {head['sha'][:7]}", audit)


def head_fork(data: dict[str, Any]) -> str | None:
    """The full name of the fork a pull request comes from, None when its head is a branch of the
    repository itself. A head repository GitHub no longer knows (a deleted fork) counts as a fork."""
    head_repo = (data.get("head") or {}).get("repo")
    base_repo = (data.get("base") or {}).get("repo") or {}
    if not isinstance(head_repo, dict):
        return "(deleted fork)"
    if head_repo.get("id") == base_repo.get("id") and head_repo.get("id") is not None:
        return None
    return str(head_repo.get("full_name") or "(fork)")


def queue_pull_request_audit(link: GitHubRepository, number: int, data: dict[str, Any]) -> Audit:
    """Queue an audit of the pull request's head, to be compared with the base branch's latest."""
    from githubapp import tasks

    head, base = data["head"], data["base"]
    pull_request, _ = PullRequest.objects.update_or_create(
        github_repository=link,
        number=number,
        defaults={"title": str(data.get("title") or "")[:300], "html_url": str(data.get("html_url") or "")[:500]},
    )
    fork = head_fork(data)
    head_ref = str(head.get("ref") or "")
    try:
        head_ref = gitops.validate_branch(head_ref)
    except gitops.RemoteError:
        head_ref = f"pull/{number}/head"
    if fork is not None:
        # The installation's token reads the repository, not the fork, and a branch of the same
        # name in the repository is another branch: GitHub keeps the head at refs/pull/<n>/head.
        head_ref = f"pull/{number}/head"
    existing = PullRequestAudit.objects.filter(pull_request=pull_request, head_sha=head["sha"]).select_related("audit")
    for run in existing:
        if run.audit.state != Audit.State.FAILED:
            return run.audit  # the same head again (reopened, ready for review): one audit, one check run
    audit = Audit.objects.create(
        repository=link.repository,
        trigger=Audit.Trigger.PULL_REQUEST,
        force=True,
        requested_sha=head["sha"],
        branch=head_ref,
    )
    run = PullRequestAudit.objects.create(
        audit=audit,
        pull_request=pull_request,
        head_sha=head["sha"],
        head_ref=head_ref,
        head_repository=(fork or "")[:200],
        base_ref=str(base.get("ref") or ""),
        base_sha=base["sha"] if _is_sha(base.get("sha")) else "",
        base_audit=latest_branch_audit(link.repository, link.repository.branch),
    )
    transaction.on_commit(lambda: tasks.start_check_run.delay(run.pk))
    pipeline.send(audit)
    return audit


def link_retry(audit: Audit, retry: Audit) -> PullRequestAudit | None:
    """The reaper's retry of a pull request's audit: the same pull request, head, fork and base,
    so its result is published as a check run of its own (queued now) and in the same summary
    comment. Safe to call twice."""
    from githubapp import tasks

    run = PullRequestAudit.objects.filter(audit=audit).first()
    if run is None:
        return None
    retry_run, created = PullRequestAudit.objects.get_or_create(
        audit=retry,
        defaults={
            "pull_request_id": run.pull_request_id,
            "head_sha": run.head_sha,
            "head_ref": run.head_ref,
            "head_repository": run.head_repository,
            "base_ref": run.base_ref,
            "base_sha": run.base_sha,
            "base_audit": run.base_audit,
        },
    )
    if created:
        transaction.on_commit(lambda: tasks.start_check_run.delay(retry_run.pk))
    return retry_run


HANDLERS = {
    "installation": _on_installation,
    "installation_repositories": _on_installation_repositories,
    "push": _on_push,
    "pull_request": _on_pull_request,
}


# --- tokens for git ---------------------------------------------------------------------------


def installation_token_for(repository: Repository) -> str | None:
    """A fresh installation token for fetching a repository connected through the App, or None
    for one connected with a URL (and maybe its own token). Never stored anywhere."""
    link = GitHubRepository.objects.filter(repository=repository).select_related("installation").first()
    if link is None:
        return None
    if not link.active or not link.installation.usable:
        raise gitops.RemoteError(
            gitops.RemoteError.AUTH,
            "The GitHub App no longer has access to this repository (removed from the installation, "
            "or the installation was suspended or uninstalled).",
        )
    try:
        return client.installation_token(link.installation.installation_id, [link.github_id])
    except client.RateLimited as error:
        raise gitops.RemoteError(gitops.RemoteError.UNREACHABLE, str(error)) from None
    except client.GitHubError as error:
        log.warning("minting an installation token for repository %s failed: %r", repository.pk, error)
        raise gitops.RemoteError(
            gitops.RemoteError.AUTH, "GitHub refused an access token for the App's installation."
        ) from None


def pull_request_ref(audit: Audit) -> str | None:
    """For a pull request's audit whose head is not a branch of the repository (a fork's), the ref
    of the repository to fetch instead: refs/pull/<n>/head. A reaped audit's retry keeps it."""
    ids = [pk for pk in (audit.pk, audit.retry_of_id) if pk is not None]
    run = PullRequestAudit.objects.filter(audit_id__in=ids).select_related("pull_request").first()
    return run.fetch_ref if run is not None else None


def base_rules(audit: Audit) -> pipeline.BaseRules | None:
    """For the audit of a pull request from a fork, the rules it is judged by (see
    projects.pipeline.BaseRules): the configuration is the base commit's convex-audit.toml, read
    through the API (contents: read) with a token minted for the repository alone. None for a
    pull request from a branch of the repository, and for any other audit."""
    from auditor.engine.config import CONFIG_NAME

    run = PullRequestAudit.objects.filter(audit=audit).select_related(
        "pull_request__github_repository__installation").first()
    if run is None or not run.head_repository:
        return None
    link = run.pull_request.github_repository
    base = run.base_sha or run.base_ref
    source = f"{CONFIG_NAME} of the base commit {base[:7]}" if run.base_sha else f"{CONFIG_NAME} of {base}"
    unreadable = f"The base's {CONFIG_NAME} (at {base[:12]}) could not be read from GitHub"
    try:
        gh = client.installation(link.installation.installation_id, [link.github_id])
        with client.call():
            response = gh.rest.repos.get_content(link.owner, link.name, CONFIG_NAME, ref=base)
    except client.RateLimited as error:
        raise gitops.RemoteError(gitops.RemoteError.UNREACHABLE, f"{unreadable}: {error}.") from None
    except client.GitHubError as error:
        if client.status_of(error) == 404:
            return pipeline.BaseRules(base, config_text="", config_source=None)
        log.warning("reading %s of %s at %s failed: %r", CONFIG_NAME, link.full_name, base, error)
        raise gitops.RemoteError(gitops.RemoteError.UNREACHABLE, f"{unreadable}.") from None
    content = response.parsed_data
    if isinstance(content, list) or getattr(content, "type", None) != "file":
        # A folder (or a link, or a submodule) of that name is no configuration, as for the engine.
        return pipeline.BaseRules(base, config_text="", config_source=None)
    if content.encoding != "base64":
        raise gitops.RemoteError(gitops.RemoteError.TOO_LARGE, f"{unreadable}: it is too large.")
    try:
        text = base64.b64decode(content.content).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise gitops.RemoteError(gitops.RemoteError.GIT, f"{unreadable}: it is not UTF-8 text.") from None
    return pipeline.BaseRules(base, config_text=text, config_source=source)


def clone_url(full_name: str, reported: str) -> str:
    """Where git fetches the repository: the API's clone URL, unless GITHUB_GIT_URL says otherwise."""
    if settings.GITHUB_GIT_URL:
        return f"{settings.GITHUB_GIT_URL}/{full_name}.git"
    return reported
