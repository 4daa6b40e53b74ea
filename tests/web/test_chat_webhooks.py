"""Outgoing webhooks in Slack's and Teams' incoming-webhook formats: the gate result and the new findings."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.automation import Receiver, eager_celery, finding, store
from tests.factories import RepositoryFactory
from webhooks.models import OutgoingWebhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo(personas):
    return RepositoryFactory(team=personas.team, name="acme/chat", branch="main")


def deliver_in(repo, format: str, django_capture_on_commit_callbacks) -> dict:
    with Receiver() as receiver, eager_celery():
        hook = OutgoingWebhook(repository=repo, url=receiver.url, format=format)
        hook.set_secret("s")
        hook.save()
        store(repo, finding("old", "warning", line=3))  # the baseline; its chain is not run
        with django_capture_on_commit_callbacks(execute=True):
            audit = store(repo, finding("old", "warning", line=3), finding("new", "error", rule="auth/x", line=9))
    assert len(receiver.requests) == 1
    return {"audit": audit, "body": json.loads(receiver.requests[-1]["body"])}


def test_it_posts_a_slack_message_with_the_gate_and_new_findings(repo, allow_local_repos,
                                                                 django_capture_on_commit_callbacks):
    sent = deliver_in(repo, "slack", django_capture_on_commit_callbacks)
    body, audit = sent["body"], sent["audit"]
    assert "quality gate failed" in body["text"] and "1 new" in body["text"]
    text = "\n".join(block["text"]["text"] for block in body["blocks"] if block["type"] == "section")
    assert "auth/x" in text and "convex/messages.ts:9" in text
    assert "db/unindexed-query` at convex/messages.ts:3" not in text  # the old finding is not new
    links = json.dumps(body["blocks"][-1])
    assert reverse("reports:audit", args=[audit.pk]) in links


def test_it_posts_a_teams_adaptive_card(repo, allow_local_repos, django_capture_on_commit_callbacks):
    body = deliver_in(repo, "teams", django_capture_on_commit_callbacks)["body"]
    assert body["type"] == "message"
    card = body["attachments"][0]["content"]
    assert body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["body"]]
    assert "quality gate failed" in texts[0] and any("auth/x" in t for t in texts)
    assert card["actions"][0]["type"] == "Action.OpenUrl"


def test_it_lets_admins_pick_the_format_and_refuses_unknown_ones(client, personas, repo, allow_local_repos):
    client.force_login(personas.admin)
    url = reverse("outgoing_webhook_add", args=[repo.pk])
    assert "Slack incoming webhook" in client.get(reverse("webhook_settings", args=[repo.pk])).content.decode()
    assert client.post(url, {"url": "http://127.0.0.1:9/slack", "format": "irc"}).status_code == 400
    assert client.post(url, {"url": "http://127.0.0.1:9/slack", "format": "slack"}).status_code == 302
    assert OutgoingWebhook.objects.get().format == "slack"
