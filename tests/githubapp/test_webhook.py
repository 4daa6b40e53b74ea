"""The App's one webhook endpoint, fed GitHub's own example payloads signed with the test secret."""

from __future__ import annotations

import pytest
from django.urls import reverse

from githubapp import services
from githubapp.models import AppDelivery, GitHubRepository, Installation, PullRequestAudit
from projects import gitops
from projects.models import Audit
from projects.tasks import audit_repository
from tests.factories import AuditFactory, RepositoryFactory
from tests.githubapp.conftest import deliver, webhook_example

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch) -> list[tuple]:
    """Audits handed to Celery, instead of a broker."""
    calls: list[tuple] = []
    monkeypatch.setattr(audit_repository, "apply_async", lambda args=None, kwargs=None, **_: calls.append(args))
    return calls


@pytest.fixture
def no_check_runs(monkeypatch):
    """These tests look at what is queued; the check run calls are the end-to-end test's subject."""
    from githubapp import tasks

    monkeypatch.setattr(tasks.start_check_run, "delay", lambda *a, **k: None)


def branch_push() -> dict:
    return webhook_example("push", where=lambda p: p["ref"].startswith("refs/heads/") and not p["deleted"])


def link_for(personas, payload: dict, branch: str = "main") -> GitHubRepository:
    """A repository connected through the App, as the payload's installation and repository."""
    data = payload["installation"]
    installation, _ = Installation.objects.get_or_create(
        installation_id=data["id"], defaults={"team": personas.team, "account_login": "octocat"}
    )
    repo = payload["repository"]
    return GitHubRepository.objects.create(
        repository=RepositoryFactory(team=personas.team, name=repo["full_name"], branch=branch),
        installation=installation,
        github_id=repo["id"],
        full_name=repo["full_name"],
    )


def test_it_is_not_there_without_the_app(client, settings):
    settings.GITHUB_APP_ID = ""
    payload = webhook_example("installation", "created")
    assert deliver(client, "installation", payload).status_code == 404


def test_it_records_an_installation_and_ignores_its_replay(client, github_app):
    payload = webhook_example("installation", "created")
    first = deliver(client, "installation", payload, delivery="inst-1")
    assert first.status_code == 202 and first.json()["status"] == "handled"
    installation = Installation.objects.get()
    assert installation.installation_id == payload["installation"]["id"]
    assert installation.account_login == payload["installation"]["account"]["login"]
    assert installation.team is None  # bound only by a member's setup callback
    installation.suspended_at = installation.deleted_at = None
    deleted = webhook_example("installation", "deleted")
    deleted["installation"]["id"] = installation.installation_id
    replay = deliver(client, "installation", deleted, delivery="inst-1")
    assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
    installation.refresh_from_db()
    assert installation.deleted_at is None and AppDelivery.objects.count() == 1


def test_it_refuses_bad_signatures_and_stores_nothing(client, github_app):
    payload = webhook_example("installation", "created")
    wrong = deliver(client, "installation", payload, signature="sha256=" + "0" * 64)
    missing = deliver(client, "installation", payload, signature="")
    sha1 = deliver(client, "installation", payload, signature="sha1=abc")
    assert [r.status_code for r in (wrong, missing, sha1)] == [403, 403, 403]
    assert not Installation.objects.exists() and not AppDelivery.objects.exists()


def test_it_refuses_a_tampered_body(client, github_app):
    import json

    from tests.githubapp.conftest import sign

    body = json.dumps(webhook_example("installation", "created")).encode()
    response = client.post(
        reverse("githubapp:webhook"),
        data=body.replace(b'"created"', b'"deleted"'),
        content_type="application/json",
        headers={"X-GitHub-Event": "installation", "X-GitHub-Delivery": "t-1", "X-Hub-Signature-256": sign(body)},
    )
    assert response.status_code == 403 and not Installation.objects.exists()


def test_it_answers_400_without_event_or_delivery_headers(client, github_app):
    from tests.githubapp.conftest import sign

    body = b"{}"
    response = client.post(
        reverse("githubapp:webhook"), data=body, content_type="application/json",
        headers={"X-Hub-Signature-256": sign(body)},
    )
    assert response.status_code == 400


def test_it_stops_and_resumes_with_suspend_and_unsuspend(client, github_app, personas):
    push = branch_push()
    push["installation"] = {"id": 777}
    link = link_for(personas, push)
    suspend = webhook_example("installation", "suspend")
    suspend["installation"]["id"] = 777
    assert deliver(client, "installation", suspend).json()["status"] == "handled"
    link.installation.refresh_from_db()
    assert link.installation.suspended_at is not None
    with pytest.raises(gitops.RemoteError) as refused:
        services.installation_token_for(link.repository)
    assert refused.value.kind == gitops.RemoteError.AUTH and "no longer has access" in refused.value.message
    unsuspend = webhook_example("installation", "unsuspend")
    unsuspend["installation"]["id"] = 777
    deliver(client, "installation", unsuspend)
    link.installation.refresh_from_db()
    assert link.installation.suspended_at is None


def test_it_stops_auditing_an_uninstalled_installation_and_keeps_history(client, github_app, personas, sent):
    push = branch_push()
    push["installation"] = {"id": 778}
    link = link_for(personas, push)
    AuditFactory(repository=link.repository)
    deleted = webhook_example("installation", "deleted")
    deleted["installation"]["id"] = 778
    assert deliver(client, "installation", deleted).status_code == 202
    link.refresh_from_db()
    assert not link.active and link.installation.repositories.count() == 1
    assert Audit.objects.filter(repository=link.repository).count() == 1  # history stays
    push["ref"] = f"refs/heads/{link.repository.branch}"
    assert deliver(client, "push", push).json()["status"] == "ignored" and not sent


def test_it_follows_repositories_removed_from_and_added_back_to_the_installation(client, github_app, personas, sent):
    removed = webhook_example("installation_repositories", "removed")
    gone = removed["repositories_removed"][0]
    repository = {"id": gone["id"], "full_name": gone["full_name"]}
    payload = {"installation": removed["installation"], "repository": repository}
    link = link_for(personas, payload)
    assert deliver(client, "installation_repositories", removed).json()["status"] == "handled"
    link.refresh_from_db()
    assert not link.active
    added = webhook_example("installation_repositories", "added")
    added["installation"]["id"] = removed["installation"]["id"]
    added["repositories_added"][0]["id"] = gone["id"]
    deliver(client, "installation_repositories", added)
    link.refresh_from_db()
    assert link.active


def test_it_audits_a_push_to_the_connected_branch_only(client, github_app, personas, sent,
                                                       django_capture_on_commit_callbacks):
    push = branch_push()
    push.setdefault("installation", {"id": 779})
    branch = push["ref"].removeprefix("refs/heads/")
    link = link_for(personas, push, branch=branch)
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, "push", push, delivery="push-1")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    audit = Audit.objects.get(repository=link.repository)
    assert (audit.trigger, audit.requested_sha) == ("webhook", push["after"])
    assert sent == [(link.repository_id, "webhook", False)]
    other = branch_push()
    other.setdefault("installation", push["installation"])
    other["ref"] = "refs/heads/some-other-branch"
    assert deliver(client, "push", other).json()["status"] == "ignored"
    assert Audit.objects.count() == 1


def test_it_audits_a_pull_request_head_against_the_base_branch(client, github_app, personas, sent, no_check_runs,
                                                                django_capture_on_commit_callbacks):
    payload = webhook_example("pull_request", "opened")
    payload.setdefault("installation", {"id": 780})
    payload["pull_request"]["draft"] = False
    link = link_for(personas, payload, branch=payload["pull_request"]["base"]["ref"])
    base = AuditFactory(repository=link.repository, branch=link.repository.branch)
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, "pull_request", payload)
    assert response.status_code == 202 and response.json()["status"] == "queued", response.json()
    run = PullRequestAudit.objects.select_related("audit", "pull_request").get()
    head = payload["pull_request"]["head"]
    assert (run.audit.trigger, run.audit.requested_sha, run.head_sha) == ("pull", head["sha"], head["sha"])
    assert run.base_audit == base and run.pull_request.number == payload["number"]
    assert len(sent) == 1
    link.repository.refresh_from_db()
    # A pull request's audit never becomes the branch's latest.
    assert link.repository.last_audit_id != run.audit_id


def test_it_ignores_pull_request_actions_that_change_no_code(client, github_app, personas, sent):
    payload = webhook_example("pull_request", "closed")
    link_for(personas, payload, branch=payload["pull_request"]["base"]["ref"])
    response = deliver(client, "pull_request", payload)
    assert response.json()["status"] == "ignored" and not sent


def test_it_stops_scheduled_audits_of_a_repository_removed_from_the_installation(client, github_app, personas):
    from schedules.models import AuditSchedule
    from schedules.tasks import run_scheduled_audit

    removed = webhook_example("installation_repositories", "removed")
    gone = removed["repositories_removed"][0]
    link = link_for(personas, {"installation": removed["installation"],
                               "repository": {"id": gone["id"], "full_name": gone["full_name"]}})
    AuditSchedule.objects.create(repository=link.repository, kind=AuditSchedule.Kind.HOURLY)
    assert run_scheduled_audit(link.repository_id) is not None
    Audit.objects.all().delete()
    deliver(client, "installation_repositories", removed)
    assert run_scheduled_audit(link.repository_id) is None and not Audit.objects.exists()


def test_it_refuses_a_body_over_githubs_cap(client, github_app):
    response = client.post(reverse("githubapp:webhook"), data=b"{}", content_type="application/json",
                           CONTENT_LENGTH=str(26 * 1024 * 1024))
    assert response.status_code == 413 and not AppDelivery.objects.exists()
