"""A pull request's audit the reaper fails (its worker died, or it never left the queue): the
check run is completed as timed out, and the retry is an audit of the same pull request, head
and base, published to a check run of its own and to the same summary comment.

What was published is read from the requests sent to Prism (each validated against GitHub's
description), as in the other GitHub tests.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from githubapp import tasks
from githubapp.models import GitHubRepository, PullRequest, PullRequestAudit
from githubapp.publish import CHECK_NAME, COMMENT_MARKER
from projects import pipeline
from projects.models import Audit
from tests.automation import eager_celery, finding, store
from tests.factories import AuditFactory
from tests.githubapp.conftest import deliver
from tests.githubapp.helpers import connect, github_remote
from tests.githubapp.test_end_to_end import PURGE, line_of, pull_request_payload, push_branch
from tests.gitrepos import git

pytestmark = pytest.mark.django_db

BASE = "octocat/Hello-World"


def check_writes(requests) -> list:
    return [r for r in requests if "/check-runs" in r.path and r.method in ("POST", "PATCH")]


def comment_writes(requests) -> list:
    return [r for r in requests if "/comments" in r.path and r.method in ("POST", "PATCH")]


def later_than_the_time_limit(settings) -> timezone.datetime:
    return timezone.now() + timedelta(seconds=settings.AUDITOR_AUDIT_TIME_LIMIT) + pipeline.REAPER_GRACE * 2


def test_it_completes_a_reaped_pull_request_audits_check_run_and_publishes_its_retry(
    client, personas, github_app, github_requests, allow_local_repos, tmp_path, settings,
    django_capture_on_commit_callbacks,
):
    git_root = tmp_path / "git"
    github_app.GITHUB_GIT_URL = str(git_root)
    remote = github_remote(git_root, BASE, "main")
    link = connect(personas.team, BASE, installation_id=51, url=f"{git_root}/{BASE}.git")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        pipeline.queue_audit(link.repository, Audit.Trigger.MANUAL)
    base_audit = link.repository.audits.get()
    assert base_audit.state == Audit.State.DONE, base_audit.failure_reason

    messages_ts = (remote.work / "convex" / "messages.ts").read_text() + PURGE
    remote.write("convex/messages.ts", messages_ts)
    git("add", "-A", cwd=remote.work)
    git("commit", "-q", "-m", "Purge messages", cwd=remote.work)
    head = push_branch(remote, "feature/purge")
    number = 8
    payload = pull_request_payload("opened", link, number, head, "main")
    # The delivery queues the audit and its check run; a worker starts it and dies mid-analysis.
    with django_capture_on_commit_callbacks(execute=False):
        deliver(client, "pull_request", payload)
    first = PullRequestAudit.objects.select_related("audit").get()
    tasks.start_check_run(first.pk)
    Audit.objects.filter(pk=first.audit_id).update(state=Audit.State.ANALYSING, started_at=timezone.now())
    tasks.audit_started(first.audit_id)
    assert [r.body["status"] for r in check_writes(github_requests)] == ["queued", "in_progress"]
    github_requests.clear()

    later = later_than_the_time_limit(settings)
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        assert pipeline.reap_stuck_audits(now=later) == [first.audit_id]

    first.refresh_from_db()
    first.audit.refresh_from_db()
    assert first.audit.state == Audit.State.FAILED and first.audit.timed_out
    assert (first.check_state, first.conclusion) == ("completed", "timed_out")
    retry = Audit.objects.get(retry_of=first.audit)
    second = PullRequestAudit.objects.select_related("audit").get(audit=retry)
    assert (second.pull_request_id, second.head_sha, second.head_ref, second.base_ref, second.base_sha,
            second.base_audit) == (first.pull_request_id, head, "feature/purge", "main",
                                   payload["pull_request"]["base"]["sha"], base_audit)
    assert retry.state == Audit.State.DONE, retry.failure_reason
    assert retry.commit_sha == head and retry.baseline == base_audit
    assert second.conclusion == "failure" and second.check_run_id is not None

    writes = check_writes(github_requests)
    # The first check run completed as timed out, then the retry's own: queued, in progress, completed.
    timed_out = writes[0]
    assert timed_out.method == "PATCH" and timed_out.path.endswith(f"/check-runs/{first.check_run_id}")
    assert (timed_out.body["status"], timed_out.body["conclusion"]) == ("completed", "timed_out")
    assert timed_out.body["details_url"].endswith(reverse("reports:audit", args=[first.audit_id]))
    assert timed_out.body["output"]["title"] == "The audit timed out"
    assert "stopped responding" in timed_out.body["output"]["summary"]
    assert "check run of its own" in timed_out.body["output"]["summary"]
    created = writes[1]
    assert (created.method, created.body["name"], created.body["head_sha"], created.body["external_id"],
            created.body["status"]) == ("POST", CHECK_NAME, head, str(retry.pk), "queued")
    assert [(w.method, w.body.get("status")) for w in writes[2:4]] == [("PATCH", "in_progress"),
                                                                       ("PATCH", "completed")]
    completed = writes[3].body
    assert completed["conclusion"] == "failure"
    assert completed["details_url"].endswith(reverse("reports:audit", args=[retry.pk]))
    purge_line = line_of(messages_ts, "ctx.db.delete(message._id)")
    assert ("convex/messages.ts", purge_line) in {(a["path"], a["start_line"])
                                                  for a in completed["output"]["annotations"]}

    # One summary comment: posted saying the audit timed out, then updated with the retry's result.
    comments = comment_writes(github_requests)
    comment_id = PullRequest.objects.get(number=number).comment_id
    assert [(c.method, c.path) for c in comments] == [
        ("POST", f"/repos/{BASE}/issues/{number}/comments"),
        ("PATCH", f"/repos/{BASE}/issues/comments/{comment_id}"),
    ]
    assert "The audit timed out" in comments[0].body["body"]
    assert COMMENT_MARKER in comments[1].body["body"] and "Failed" in comments[1].body["body"]

    # Run twice (a second reaper, redelivered tasks): nothing more is sent or queued.
    github_requests.clear()
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        assert pipeline.reap_stuck_audits(now=later) == []
        tasks.publish_audit(first.audit_id)
        tasks.publish_audit(retry.pk)
        tasks.start_check_run(second.pk)
    assert check_writes(github_requests) == [] and comment_writes(github_requests) == []
    assert Audit.objects.filter(repository=link.repository).count() == 3
    assert PullRequestAudit.objects.count() == 2


@pytest.fixture
def link(personas, github_app) -> GitHubRepository:
    return connect(personas.team, BASE, installation_id=52)


def queued_run(link: GitHubRepository, head: str, base: Audit | None, **audit_fields) -> PullRequestAudit:
    pull_request, _ = PullRequest.objects.get_or_create(github_repository=link, number=9)
    audit = AuditFactory(repository=link.repository, trigger=Audit.Trigger.PULL_REQUEST, finished_at=None,
                         branch="feature", requested_sha=head, **audit_fields)
    run = PullRequestAudit.objects.create(audit=audit, pull_request=pull_request, head_sha=head,
                                          head_ref="feature", base_ref="main", base_audit=base)
    tasks.start_check_run(run.pk)
    return PullRequestAudit.objects.select_related("audit").get(pk=run.pk)


def test_it_leaves_a_newer_heads_summary_alone_when_an_older_head_is_reaped(
    link, github_requests, settings, django_capture_on_commit_callbacks,
):
    base = store(link.repository, finding("old"))
    older = queued_run(link, "a" * 40, base, state=Audit.State.ANALYSING, started_at=timezone.now())
    newer = queued_run(link, "b" * 40, base, state=Audit.State.ANALYSING, started_at=timezone.now() + timedelta(
        seconds=settings.AUDITOR_AUDIT_TIME_LIMIT * 2))
    pipeline.store_results(newer.audit, {"findings": [finding("old")], "inventory": {}, "stats": {"files": 1}})
    tasks.publish_pull_request(newer.pk)
    comment_id = PullRequest.objects.get().comment_id
    assert comment_id is not None
    github_requests.clear()

    with django_capture_on_commit_callbacks(execute=False):
        assert pipeline.reap_stuck_audits(now=later_than_the_time_limit(settings)) == [older.audit_id]
    tasks.publish_pull_request(older.pk)  # the step after a failed audit
    retry = PullRequestAudit.objects.select_related("audit").get(audit__retry_of=older.audit_id)
    assert retry.head_sha == older.head_sha
    Audit.objects.filter(pk=retry.audit_id).update(state=Audit.State.ANALYSING, started_at=timezone.now())
    retry.audit.refresh_from_db()
    pipeline.store_results(retry.audit, {"findings": [finding("old"), finding("new", severity="error")],
                                         "inventory": {}, "stats": {"files": 1}})
    tasks.publish_pull_request(retry.pk)

    # Both of the older head's check runs are completed; the newer head's summary stays.
    completions = [(w.method, w.body.get("conclusion")) for w in check_writes(github_requests)
                   if w.body.get("status") == "completed"]
    assert completions == [("PATCH", "timed_out"), ("PATCH", "failure")]
    assert comment_writes(github_requests) == []


def test_it_completes_the_check_run_of_a_pull_request_audit_lost_in_the_queue(
    link, github_requests, settings, django_capture_on_commit_callbacks,
):
    lost = queued_run(link, "c" * 40, None, state=Audit.State.QUEUED, started_at=None,
                      created_at=timezone.now() - pipeline.QUEUED_TIMEOUT - timedelta(minutes=1))
    github_requests.clear()
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        assert pipeline.reap_stuck_audits() == [lost.audit_id]
        assert pipeline.reap_stuck_audits() == []
    lost.refresh_from_db()
    assert (lost.check_state, lost.conclusion) == ("completed", "timed_out")
    (completed,) = check_writes(github_requests)
    assert completed.path.endswith(f"/check-runs/{lost.check_run_id}")
    assert completed.body["conclusion"] == "timed_out"
    assert "waited in the queue too long" in completed.body["output"]["summary"]
    assert not Audit.objects.filter(retry_of=lost.audit_id).exists()
