"""Celery tasks of the App. Primary keys in, safe to run twice, acks_late, time limits; GitHub's
5xx and network errors are retried with backoff, a spent rate limit after GitHub's own wait."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task
from githubkit.exception import RequestError, RequestFailed

from githubapp import client, publish
from githubapp.models import GitHubRepository, PullRequestAudit
from projects.after_audit import RETRY_OPTIONS
from projects.models import Audit

log = logging.getLogger(__name__)

RETRYING = {
    "bind": True,
    "acks_late": True,
    "ignore_result": True,
    "soft_time_limit": 120,
    "time_limit": 150,
    # Network errors and 5xx that outlived the client's own retries; a 4xx is final (see _calling).
    "autoretry_for": (RequestError,),
    "retry_backoff": 15,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


def _calling(task, work: Callable[[], None], what: str) -> None:
    """Run `work`; a spent rate limit retries after GitHub's wait, a refused request is logged."""
    try:
        work()
    except client.RateLimited as error:
        raise task.retry(countdown=error.retry_after, exc=error) from None
    except RequestFailed as error:
        if error.response.status_code >= 500:
            raise
        log.error("GitHub refused %s (HTTP %s): %s", what, error.response.status_code, error.response.text[:500])


@shared_task(**RETRYING)
def start_check_run(self, run_id: int) -> None:
    """The check run, queued, as the pull request's audit is queued."""
    run = PullRequestAudit.objects.select_related("audit", "pull_request__github_repository__installation").filter(
        pk=run_id
    ).first()
    if run is None or run.check_run_id is not None:
        return
    _calling(self, lambda: publish.start_check_run(run), f"the check run of {run}")


@shared_task(**RETRYING)
def audit_started(self, audit_id: int) -> None:
    """Step after a worker starts an audit (projects.after_audit.started): a pull request's check
    run moves to in_progress."""
    run = PullRequestAudit.objects.select_related("audit", "pull_request__github_repository__installation").filter(
        audit_id=audit_id
    ).first()
    if run is None:
        return
    _calling(self, lambda: publish.mark_in_progress(run), f"the check run of {run}")


@shared_task(**RETRYING)
def publish_pull_request(self, run_id: int) -> None:
    """After the pull request's audit: the check run completed, the comment, SARIF if asked."""
    run = PullRequestAudit.objects.select_related(
        "audit__repository", "base_audit", "pull_request__github_repository__installation"
    ).filter(pk=run_id).first()
    if run is None or run.audit.state not in (Audit.State.DONE, Audit.State.FAILED):
        return
    link = run.pull_request.github_repository
    _calling(self, lambda: publish.complete_check_run(run), f"the check run of {run}")
    run.refresh_from_db()
    _calling(self, lambda: publish.update_comment(run), f"the comment on {run.pull_request}")
    if link.sarif_upload and run.audit.state == Audit.State.DONE and not run.sarif_id:

        def upload() -> None:
            sarif_id = publish.upload_sarif(link, run.audit, f"refs/pull/{run.pull_request.number}/head")
            PullRequestAudit.objects.filter(pk=run.pk).update(sarif_id=sarif_id or "uploaded")

        _calling(self, upload, f"the SARIF of {run}")


@shared_task(**RETRYING)
def upload_branch_sarif(self, audit_id: int) -> None:
    """A tracked branch's audit to code scanning, for repositories that opted in."""
    audit = Audit.objects.filter(pk=audit_id, state=Audit.State.DONE).select_related("repository").first()
    if audit is None or not audit.commit_sha:
        return
    link = GitHubRepository.objects.filter(repository_id=audit.repository_id, active=True, sarif_upload=True).first()
    if link is None:
        return
    _calling(
        self,
        lambda: publish.upload_sarif(link, audit.result, f"refs/heads/{audit.branch}") and None,
        f"the SARIF of audit {audit.pk}",
    )


@shared_task(**RETRY_OPTIONS, ignore_result=True)
def publish_audit(audit_id: int) -> None:
    """After-audit step (projects.after_audit), done or failed: a pull request's audit completes
    its check run and comment; a tracked branch's audit goes to code scanning when opted in."""
    audit = Audit.objects.filter(pk=audit_id).first()
    if audit is None:
        return
    if audit.trigger != Audit.Trigger.PULL_REQUEST:
        if audit.state == Audit.State.DONE and GitHubRepository.objects.filter(
            repository_id=audit.repository_id, active=True, sarif_upload=True
        ).exists():
            upload_branch_sarif.delay(audit.pk)
        return
    run_id = PullRequestAudit.objects.filter(audit_id=audit.pk).values_list("pk", flat=True).first()
    if run_id is not None:
        publish_pull_request.delay(run_id)
