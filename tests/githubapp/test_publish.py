"""What a pull request's audit publishes, checked on the requests sent to Prism."""

from __future__ import annotations

import pytest

from githubapp import publish
from githubapp.models import GitHubRepository, Installation, PullRequest, PullRequestAudit
from projects import pipeline
from projects.models import Audit
from tests.automation import finding, store
from tests.factories import AuditFactory, RepositoryFactory
from tests.githubapp.conftest import ISSUE_COMMENTS, SUMMARY_COMMENT_ID, WITH_SUMMARY_COMMENT, openapi_example

pytestmark = pytest.mark.django_db

HEAD = "c" * 40


@pytest.fixture
def link(personas, github_app) -> GitHubRepository:
    installation = Installation.objects.create(installation_id=1, team=personas.team, account_login="octocat")
    return GitHubRepository.objects.create(
        repository=RepositoryFactory(team=personas.team, name="octocat/Hello-World", branch="main"),
        installation=installation,
        github_id=1296269,
        full_name="octocat/Hello-World",
    )


def pull_request_audit(link: GitHubRepository, base: Audit | None, *findings: dict, number: int = 7,
                       failed: str = "") -> PullRequestAudit:
    pull_request, _ = PullRequest.objects.get_or_create(github_repository=link, number=number)
    audit = AuditFactory(repository=link.repository, trigger=Audit.Trigger.PULL_REQUEST, state=Audit.State.ANALYSING,
                         finished_at=None, branch="feature", commit_sha=HEAD)
    run = PullRequestAudit.objects.create(audit=audit, pull_request=pull_request, head_sha=HEAD,
                                          head_ref="feature", base_ref="main", base_audit=base)
    if failed:
        pipeline.fail(audit, failed)
    else:
        pipeline.store_results(audit, {"findings": list(findings), "inventory": {}, "stats": {"files": 1}})
    return PullRequestAudit.objects.select_related("audit", "base_audit", "pull_request").get(pk=run.pk)


def check_updates(requests) -> list:
    return [r for r in requests if r.method == "PATCH" and "/check-runs/" in r.path]


def test_it_sends_annotations_fifty_at_a_time(link, github_requests):
    base = store(link.repository, finding("old", severity="error", line=3))
    new = [finding(f"new-{n}", severity="warning", line=n + 10) for n in range(120)]
    run = pull_request_audit(link, base, finding("old", severity="error", line=3), *new)
    publish.complete_check_run(run)
    updates = check_updates(github_requests)
    assert [len(u.body["output"]["annotations"]) for u in updates] == [50, 50, 20]
    assert updates[0].body["status"] == "completed" and "status" not in updates[1].body
    lines = [a["start_line"] for u in updates for a in u.body["output"]["annotations"]]
    assert sorted(lines) == [n + 10 for n in range(120)]  # the old finding's line 3 is not annotated
    run.refresh_from_db()
    assert run.annotations_sent == 120 and run.check_state == "completed"
    # Again (a redelivered task): nothing more is sent.
    github_requests.clear()
    publish.complete_check_run(run)
    assert check_updates(github_requests) == []


def test_it_concludes_with_the_gate_on_new_findings_only(link, github_requests):
    old_error = finding("old", severity="error", line=3)
    base = store(link.repository, old_error)
    run = pull_request_audit(link, base, old_error, finding("new-warning", severity="warning", line=9))
    publish.complete_check_run(run)
    completed = check_updates(github_requests)[0].body
    # The base's error is still there, but the gate ("no new error") judges what the PR adds.
    assert completed["conclusion"] == "success"
    assert "| Error | 0 | 0 |" in completed["output"]["summary"]
    assert "| Warning | 1 | 0 |" in completed["output"]["summary"]


def test_it_counts_fixed_findings_against_the_base(link, github_requests):
    base = store(link.repository, finding("gone", severity="error", line=3), finding("kept", line=5))
    run = pull_request_audit(link, base, finding("kept", line=5))
    publish.complete_check_run(run)
    summary = check_updates(github_requests)[0].body["output"]["summary"]
    assert "| Error | 0 | 1 |" in summary and "No new findings." in summary


def test_it_completes_the_check_run_of_a_failed_audit_as_neutral(link, github_requests):
    run = pull_request_audit(link, None, failed="The branch 'feature' does not exist on the remote.")
    publish.complete_check_run(run)
    completed = check_updates(github_requests)[0].body
    assert completed["conclusion"] == "neutral" and "does not exist" in completed["output"]["summary"]


def test_it_leaves_the_comment_out_when_turned_off(link, github_requests):
    link.pull_request_comments = False
    link.save()
    run = pull_request_audit(link, None, finding("a"))
    publish.update_comment(run)
    assert not [r for r in github_requests if "/comments" in r.path]


def test_it_posts_one_comment_and_then_only_updates_it(link, github_requests):
    base = store(link.repository, finding("a"))
    first = pull_request_audit(link, base, finding("a"), finding("b", severity="error"))
    publish.update_comment(first)
    publish.update_comment(first)  # a redelivered task
    second = pull_request_audit(link, base, finding("a"))
    second.head_sha = "d" * 40
    publish.update_comment(second)
    writes = [(r.method, r.path) for r in github_requests if "/comments" in r.path and r.method != "GET"]
    comment_id = PullRequest.objects.get().comment_id
    assert writes == [
        ("POST", "/repos/octocat/Hello-World/issues/7/comments"),
        ("PATCH", f"/repos/octocat/Hello-World/issues/comments/{comment_id}"),
    ]


def test_it_uploads_sarif_with_dismissed_findings_as_suppressions(link, github_requests, personas):
    import base64
    import gzip
    import json

    from triage.services import decide

    base = store(link.repository, finding("kept"))
    run = pull_request_audit(link, base, finding("kept"), finding("noise", severity="error", line=30))
    decide(link.repository, "noise", "false_positive", user=personas.admin, comment="Only in the seed script")
    receipt = publish.upload_sarif(link, run.audit, "refs/pull/7/head")
    upload = next(r for r in github_requests if r.method == "POST" and r.path.endswith("/code-scanning/sarifs"))
    assert receipt == openapi_example("/repos/{owner}/{repo}/code-scanning/sarifs", "post", "202")["id"]
    assert (upload.body["commit_sha"], upload.body["ref"]) == (HEAD, "refs/pull/7/head")
    sarif = json.loads(gzip.decompress(base64.b64decode(upload.body["sarif"])))
    results = {r["partialFingerprints"]["convexAuditor/v1"]: r for r in sarif["runs"][0]["results"]}
    assert "suppressions" not in results["kept"]
    suppression = results["noise"]["suppressions"][0]
    assert suppression["kind"] == "external" and "Only in the seed script" in suppression["justification"]


def test_it_uploads_sarif_only_for_repositories_that_opted_in(link, github_requests,
                                                              django_capture_on_commit_callbacks):
    from tests.automation import eager_celery

    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        store(link.repository, finding("a"))
    assert not [r for r in github_requests if "code-scanning" in r.path]
    link.sarif_upload = True
    link.save()
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        audit = store(link.repository, finding("a"), finding("b"))
    uploads = [r for r in github_requests if r.path.endswith("/code-scanning/sarifs")]
    assert len(uploads) == 1 and uploads[0].body["ref"] == f"refs/heads/{link.repository.branch}"
    assert uploads[0].body["commit_sha"] == audit.commit_sha


def test_it_lists_a_pull_requests_audit_in_history_without_charting_it(link, client, personas):
    from django.urls import reverse

    base = store(link.repository, finding("a"))
    run = pull_request_audit(link, base, finding("a"), finding("b"))
    client.force_login(personas.viewer)
    page = client.get(reverse("reports:history", args=[link.repository_id])).content.decode()
    assert reverse("reports:audit", args=[run.audit_id]) in page
    assert f"#{base.pk} {base.short_sha}" in page and f"#{run.audit_id} {run.audit.short_sha}" not in page
    link.repository.refresh_from_db()
    assert link.repository.last_audit_id == base.pk


def comment_writes(requests) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in requests if "/comments" in r.path and r.method in ("POST", "PATCH")]


def test_it_posts_a_new_comment_when_the_stored_one_was_deleted(link, github_requests, prism_prefers):
    deleted = 99
    prism_prefers("PATCH", rf".*/issues/comments/{deleted}", "code=404")
    run = pull_request_audit(link, None, finding("a"))
    PullRequest.objects.filter(pk=run.pull_request_id).update(comment_id=deleted)
    publish.update_comment(run)
    posted = openapi_example(ISSUE_COMMENTS, "post", "201")["id"]
    assert posted != deleted
    assert comment_writes(github_requests) == [
        ("PATCH", f"/repos/octocat/Hello-World/issues/comments/{deleted}"),
        ("POST", "/repos/octocat/Hello-World/issues/7/comments"),
    ]
    # The new one is stored: the next push updates it.
    assert PullRequest.objects.get().comment_id == posted
    github_requests.clear()
    later = pull_request_audit(link, None, finding("b"))
    publish.update_comment(later)
    assert comment_writes(github_requests) == [("PATCH", f"/repos/octocat/Hello-World/issues/comments/{posted}")]


def test_it_updates_the_summary_comment_it_finds_instead_of_posting_a_second(link, github_requests, prism_prefers):
    # Ours is still on the pull request (found by its marker) though the stored id answers 404
    # (a comment moved by GitHub, or a stored id from before a restore): it is updated, not doubled.
    prism_prefers("PATCH", r".*/issues/comments/99", "code=404")
    prism_prefers("GET", r".*/issues/7/comments", f"example={WITH_SUMMARY_COMMENT}")
    run = pull_request_audit(link, None, finding("a"))
    PullRequest.objects.filter(pk=run.pull_request_id).update(comment_id=99)
    publish.update_comment(run)
    assert comment_writes(github_requests) == [
        ("PATCH", "/repos/octocat/Hello-World/issues/comments/99"),
        ("PATCH", f"/repos/octocat/Hello-World/issues/comments/{SUMMARY_COMMENT_ID}"),
    ]
    assert PullRequest.objects.get().comment_id == SUMMARY_COMMENT_ID


def test_it_adopts_the_marked_comment_when_none_is_stored(link, github_requests, prism_prefers):
    prism_prefers("GET", r".*/issues/7/comments", f"example={WITH_SUMMARY_COMMENT}")
    run = pull_request_audit(link, None, finding("a"))
    publish.update_comment(run)
    assert comment_writes(github_requests) == [
        ("PATCH", f"/repos/octocat/Hello-World/issues/comments/{SUMMARY_COMMENT_ID}"),
    ]
    assert PullRequest.objects.get().comment_id == SUMMARY_COMMENT_ID


def check_statuses(requests) -> list[tuple[str, str | None]]:
    return [(r.method, r.body.get("status")) for r in requests if "/check-runs" in r.path and r.method != "GET"]


def test_it_queues_the_check_run_then_marks_it_in_progress_then_completes_it(link, github_requests):
    from githubapp import tasks

    run = pull_request_audit(link, None, finding("a"))
    tasks.start_check_run(run.pk)
    tasks.start_check_run(run.pk)  # a redelivered task
    tasks.audit_started(run.audit_id)
    tasks.audit_started(run.audit_id)
    publish.complete_check_run(PullRequestAudit.objects.select_related("audit").get(pk=run.pk))
    assert check_statuses(github_requests) == [("POST", "queued"), ("PATCH", "in_progress"), ("PATCH", "completed")]
    run.refresh_from_db()
    check_paths = {r.path for r in github_requests if r.method == "PATCH"}
    assert check_paths == {f"/repos/octocat/Hello-World/check-runs/{run.check_run_id}"}


def test_it_creates_the_check_run_in_progress_when_the_worker_starts_first(link, github_requests):
    from githubapp import tasks

    run = pull_request_audit(link, None, finding("a"))
    tasks.audit_started(run.audit_id)
    tasks.start_check_run(run.pk)  # the queue-time task, late: nothing more
    assert check_statuses(github_requests) == [("POST", "in_progress")]
    run.refresh_from_db()
    assert run.check_state == PullRequestAudit.CheckState.IN_PROGRESS and run.check_run_id is not None


def test_it_never_moves_a_completed_check_run_back_to_in_progress(link, github_requests):
    from githubapp import tasks

    run = pull_request_audit(link, None, finding("a"))
    tasks.start_check_run(run.pk)
    publish.complete_check_run(PullRequestAudit.objects.select_related("audit").get(pk=run.pk))
    tasks.audit_started(run.audit_id)  # delivered after the audit finished
    assert check_statuses(github_requests) == [("POST", "queued"), ("PATCH", "completed")]
