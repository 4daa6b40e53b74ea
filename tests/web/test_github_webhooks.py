"""The GitHub webhook endpoint: signatures, push → queued audit, ping, replays; the settings page."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.urls import reverse

from projects.models import Audit
from projects.tasks import audit_repository
from tests.factories import RepositoryFactory
from webhooks.models import GitHubDelivery, GitHubWebhook
from webhooks.services import github_webhook_for, github_webhook_path

pytestmark = pytest.mark.django_db

SHA = "a" * 40


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    """What the pipeline hands to Celery (audit_repository.apply_async), instead of a broker."""
    calls: list[dict] = []
    monkeypatch.setattr(audit_repository, "apply_async", lambda args=None, kwargs=None, **_: calls.append(
        {"args": args, "kwargs": kwargs}))
    return calls


@pytest.fixture
def hook(personas) -> GitHubWebhook:
    return github_webhook_for(RepositoryFactory(team=personas.team, branch="main"))


def deliver(client, hook, event: str, payload: dict, *, secret: str | None = None, delivery: str | None = None,
            signature: str | None = None):
    body = json.dumps(payload).encode()
    digest = hmac.new((secret or hook.get_secret()).encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        github_webhook_path(hook),
        data=body,
        content_type="application/json",
        headers={
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": signature if signature is not None else f"sha256={digest}",
        },
    )


def push(branch: str = "main", sha: str = SHA) -> dict:
    return {"ref": f"refs/heads/{branch}", "after": sha, "before": "b" * 40, "deleted": False}


def test_it_queues_an_audit_of_the_pushed_commit_after_commit(client, hook, sent, django_capture_on_commit_callbacks):
    deliver(client, hook, "ping", {}, delivery="warm-up")  # first request loads the URLconf and views
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        started = time.monotonic()
        response = deliver(client, hook, "push", push(), delivery="d-1")
        elapsed = time.monotonic() - started
    assert response.status_code == 202, response.content
    audit = Audit.objects.get()
    assert response.json() == {"status": "queued", "audit": audit.pk}
    assert (audit.trigger, audit.requested_sha, audit.state) == ("webhook", SHA, "queued")
    assert len(callbacks) == 1 and sent == [{"args": (hook.repository_id, "webhook", False),
                                             "kwargs": {"audit_id": audit.pk}}]
    delivery = GitHubDelivery.objects.get(delivery_id="d-1")
    assert (delivery.event, delivery.delivery_id, delivery.status, delivery.audit) == ("push", "d-1", "queued", audit)
    assert elapsed < 0.1


def test_it_answers_ping(client, hook, sent):
    response = deliver(client, hook, "ping", {"zen": "Keep it logically awesome."}, delivery="p-1")
    assert response.status_code == 200 and response.json() == {"status": "pong"}
    assert GitHubDelivery.objects.get().status == "pong"
    assert not Audit.objects.exists() and not sent


def test_it_refuses_a_bad_signature_and_queues_nothing(client, hook, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wrong_secret = deliver(client, hook, "push", push(), secret="not-the-secret", delivery="x-1")
        missing = deliver(client, hook, "push", push(), signature="", delivery="x-2")
        malformed = deliver(client, hook, "push", push(), signature="sha1=abc", delivery="x-3")
    assert [r.status_code for r in (wrong_secret, missing, malformed)] == [403, 403, 403]
    assert not Audit.objects.exists() and not sent
    assert set(GitHubDelivery.objects.values_list("status", flat=True)) == {"bad_signature"}


def test_it_refuses_a_tampered_body(client, hook, sent):
    body = json.dumps(push()).encode()
    signature = "sha256=" + hmac.new(hook.get_secret().encode(), body, hashlib.sha256).hexdigest()
    response = client.post(
        github_webhook_path(hook),
        data=body.replace(b"main", b"mane"),
        content_type="application/json",
        headers={"X-GitHub-Event": "push", "X-GitHub-Delivery": "t-1", "X-Hub-Signature-256": signature},
    )
    assert response.status_code == 403 and not Audit.objects.exists()


def test_it_answers_404_for_an_unknown_repository(client, hook, sent):
    body = json.dumps(push()).encode()
    response = client.post(
        reverse("github_webhook", args=[uuid.uuid4()]),
        data=body,
        content_type="application/json",
        headers={"X-GitHub-Event": "push", "X-GitHub-Delivery": "u-1", "X-Hub-Signature-256": "sha256=00"},
    )
    assert response.status_code == 404
    assert not Audit.objects.exists() and not sent and not GitHubDelivery.objects.exists()


def test_it_ignores_a_replayed_delivery_id(client, hook, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(client, hook, "push", push(), delivery="r-1")
        replay = deliver(client, hook, "push", push(sha="c" * 40), delivery="r-1")
    assert first.status_code == 202
    assert replay.status_code == 200 and replay.json()["status"] == "duplicate"
    assert Audit.objects.count() == 1 and len(sent) == 1
    assert GitHubDelivery.objects.count() == 1


def test_it_does_not_let_a_bad_signature_burn_a_delivery_id(client, hook, sent):
    assert deliver(client, hook, "push", push(), secret="forged", delivery="z-1").status_code == 403
    assert deliver(client, hook, "push", push(), delivery="z-1").status_code == 202


def test_it_ignores_pushes_to_other_branches_and_other_events(client, hook, sent):
    other = deliver(client, hook, "push", push(branch="feature"))
    deleted = deliver(client, hook, "push", push(sha="0" * 40))
    issue = deliver(client, hook, "issues", {"action": "opened"})
    assert [r.json()["status"] for r in (other, deleted, issue)] == ["ignored"] * 3
    assert not Audit.objects.exists() and not sent
    assert GitHubDelivery.objects.filter(status="ignored").count() == 3


def test_it_keeps_the_secret_encrypted_at_rest(hook):
    stored = GitHubWebhook.objects.values_list("secret_encrypted", flat=True).get()
    assert hook.get_secret() not in stored and len(hook.get_secret()) >= 40


def test_it_shows_the_url_and_secret_to_admins_only(client, personas, hook):
    url = reverse("webhook_settings", args=[hook.repository_id])
    expected = {"owner": 200, "admin": 200, "member": 403, "viewer": 403, "outsider": 404}
    for name, status in expected.items():
        client.force_login(personas.get(name))
        response = client.get(url)
        assert response.status_code == status, name
        if status == 200:
            content = response.content.decode()
            assert hook.get_secret() in content and str(hook.key) in content and "Add webhook" in content


def test_it_rotates_the_secret(client, personas, hook):
    old = hook.get_secret()
    for name, status in {"member": 403, "viewer": 403, "outsider": 404, "admin": 302}.items():
        client.force_login(personas.get(name))
        assert client.post(reverse("github_webhook_rotate", args=[hook.repository_id])).status_code == status
    hook.refresh_from_db()
    assert hook.get_secret() != old


def test_it_lets_admins_add_and_remove_outgoing_webhooks(client, personas, hook, allow_local_repos):
    from webhooks.models import OutgoingWebhook

    add = reverse("outgoing_webhook_add", args=[hook.repository_id])
    for name, status in {"member": 403, "viewer": 403, "outsider": 404, "owner": 302}.items():
        client.force_login(personas.get(name))
        response = client.post(add, {"url": "http://127.0.0.1:9/hook", "secret": "shh"})
        assert response.status_code == status, name
    outgoing = OutgoingWebhook.objects.get()
    assert outgoing.get_secret() == "shh" and "shh" not in outgoing.secret_encrypted
    delete = reverse("outgoing_webhook_delete", args=[hook.repository_id, outgoing.pk])
    for name, status in {"member": 403, "viewer": 403, "outsider": 404, "admin": 302}.items():
        client.force_login(personas.get(name))
        assert client.post(delete).status_code == status, name
    assert not OutgoingWebhook.objects.exists()


def test_it_accepts_a_push_larger_than_djangos_upload_limit(client, hook, sent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    payload = {**push(), "commits": [{"message": "x" * 4000}]}
    assert deliver(client, hook, "push", payload).status_code == 202
