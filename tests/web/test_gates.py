"""Quality gate: evaluation against the baseline, badge, API, outgoing webhook to a loopback receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse

from gates import services
from gates.models import GateCondition, GateResult
from projects import after_audit
from tests.automation import Receiver, eager_celery, finding, now, store
from tests.factories import RepositoryFactory
from triage.services import decide
from webhooks.models import OutgoingDelivery, OutgoingWebhook
from webhooks.tasks import deliver_gate_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo(personas):
    return RepositoryFactory(team=personas.team)


def test_it_fails_the_default_gate_on_a_new_error_only(repo):
    store(repo, finding("a", "error"), finding("b", "warning"), finished_at=now() - timedelta(hours=2))
    same = store(repo, finding("a", "error"), finding("c", "warning"), finished_at=now() - timedelta(hours=1))
    worse = store(repo, finding("a", "error"), finding("d", "error"))
    assert services.evaluate(same).status == "passed"  # a new warning is allowed by "no new error"
    result = services.evaluate(worse)
    assert result.status == "failed" and result.baseline == same
    assert result.details == [
        {"condition": "no new error", "count": 1, "max": 0, "passed": False,
         "findings": [worse.findings.get(fingerprint="d").pk]}
    ]


def test_it_applies_rule_glob_conditions_and_triage(personas, repo):
    gate = services.gate_for(repo)
    GateCondition.objects.create(gate=gate, min_severity="info", rule_glob="auth/*", max_new=0)
    store(repo, finished_at=now() - timedelta(hours=1))
    audit = store(repo, finding("x", "info", rule="auth/weak"), finding("y", "warning", rule="db/scan"))
    result = services.evaluate(audit)
    assert [(d["condition"], d["count"], d["passed"]) for d in result.details] == [
        ("no new error", 0, True), ("no new finding in rules auth/*", 1, False)
    ]
    decide(repo, "x", "accepted_risk", user=personas.admin, comment="Internal tool")
    assert services.evaluate(audit).status == "passed"


def test_it_judges_a_no_change_run_like_the_audit_it_reuses(repo):
    store(repo, finished_at=now() - timedelta(hours=2), sha="1" * 40)
    analysed = store(repo, finding("n", "error"), finished_at=now() - timedelta(hours=1), sha="2" * 40)
    reuse = store(repo, sha="2" * 40)
    type(reuse).objects.filter(pk=reuse.pk).update(reused_from=analysed)
    reuse.refresh_from_db()
    assert services.evaluate(analysed).status == "failed"
    assert services.evaluate(reuse).status == "failed"


def test_it_evaluates_the_gate_when_an_audit_finishes(repo, django_capture_on_commit_callbacks):
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        audit = store(repo, finding("z", "error"))
    assert GateResult.objects.get(audit=audit).status == "failed"


def test_it_serves_the_badge_for_a_valid_token_only(client, repo):
    services.evaluate(store(repo, finding("z", "error")))
    repo.refresh_from_db()
    url = services.badge_path(repo)
    response = client.get(url)  # no login
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and "quality gate" in svg and "failed" in svg
    token = services.badge_token(repo.pk)
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.get(reverse("gate_badge", args=[repo.pk, tampered])).status_code == 404
    other = RepositoryFactory()
    assert client.get(reverse("gate_badge", args=[other.pk, token])).status_code == 404


def test_it_never_judges_the_gate_while_reading(client, personas, repo):
    audit = store(repo, finding("z", "error"))
    repo.refresh_from_db()
    client.force_login(personas.owner)
    for url in (services.badge_path(repo), reverse("api_repository_gate", args=[repo.pk]),
                reverse("api_audit_gate", args=[audit.pk]), reverse("gate_settings", args=[repo.pk]),
                reverse("reports:audit", args=[audit.pk]), reverse("reports:projects")):
        assert client.get(url).status_code == 200, url
    assert not GateResult.objects.exists()


def test_it_shows_the_gate_through_the_api_and_template_tags(client, personas, repo):
    audit = store(repo)
    services.evaluate(audit)
    repo.refresh_from_db()
    for name, status in {"owner": 200, "admin": 200, "member": 200, "viewer": 200, "outsider": 404}.items():
        client.force_login(personas.get(name))
        response = client.get(reverse("api_repository_gate", args=[repo.pk]))
        assert response.status_code == status, name
        assert client.get(reverse("api_audit_gate", args=[audit.pk])).status_code == status, name
    client.force_login(personas.viewer)
    data = client.get(reverse("api_repository_gate", args=[repo.pk])).json()
    assert data["status"] == "passed" and data["audit"] == audit.pk
    assert data["conditions"][0]["condition"] == "no new error"
    services.evaluate(audit)
    html = Template(
        "{% load gates %}{% gate_status audit %}|{% gate_status_of audit %}|"
        "{% gate_statuses rows 'last_done' as gates %}"
        "{% for row in rows %}{% gate_pill gates row.last_done %}{% endfor %}"
    ).render(Context({"audit": audit, "rows": [{"last_done": audit}, {"last_done": None}]}))
    assert "Gate passed" in html and "|passed|" in html and html.count("Gate passed") == 2
    client.logout()
    assert client.get(reverse("api_repository_gate", args=[repo.pk])).status_code in (401, 403)


def test_it_lets_only_admins_change_the_gate(client, personas, repo):
    settings_url = reverse("gate_settings", args=[repo.pk])
    update = reverse("gate_update", args=[repo.pk])
    for name, (get_status, post_status) in {
        "owner": (200, 302), "admin": (200, 302), "member": (200, 403), "viewer": (200, 403), "outsider": (404, 404),
    }.items():
        client.force_login(personas.get(name))
        assert client.get(settings_url).status_code == get_status, name
        response = client.post(update, {"action": "add", "min_severity": "warning", "rule_glob": "auth/*",
                                        "max_new": 2})
        assert response.status_code == post_status, name
    assert GateCondition.objects.filter(rule_glob="auth/*").count() == 2
    client.force_login(personas.admin)
    page = client.get(settings_url).content.decode()
    assert "at most 2 new warning or error in rules auth/*" in page
    assert services.badge_path(repo) in page


def test_it_posts_the_signed_gate_result_to_an_outgoing_webhook(repo, allow_local_repos,
                                                                 django_capture_on_commit_callbacks):
    with Receiver(statuses=[500]) as receiver, eager_celery():
        hook = OutgoingWebhook(repository=repo, url=receiver.url)
        hook.set_secret("s3cret")
        hook.save()
        with django_capture_on_commit_callbacks(execute=True):
            audit = store(repo, finding("e", "error"))
        # The after-audit chain run again for the same audit delivers nothing more.
        with django_capture_on_commit_callbacks(execute=True):
            after_audit.steps(audit.pk).apply_async()
    delivery = OutgoingDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 2, 200)
    assert len(receiver.requests) == 2  # the 500 was retried
    request = receiver.requests[-1]
    expected = "sha256=" + hmac.new(b"s3cret", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Auditor-Signature-256"] == expected
    assert request["headers"]["Content-Type"] == "application/json"
    body = json.loads(request["body"])
    assert body["event"] == "audit.gate" and body["audit"]["id"] == audit.pk
    assert body["gate"]["status"] == "failed" and body["gate"]["conditions"][0]["count"] == 1


def test_it_records_a_delivery_that_keeps_failing(repo, allow_local_repos):
    audit = store(repo)
    with Receiver(statuses=[503] * 10) as receiver, eager_celery():
        hook = OutgoingWebhook(repository=repo, url=receiver.url)
        hook.set_secret("s")
        hook.save()
        delivery = OutgoingDelivery.objects.create(webhook=hook, audit=audit, payload={"x": 1})
        deliver_gate_webhook.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.error == "HTTP 503"
    assert delivery.attempts == len(receiver.requests) == 6


def test_it_refuses_outgoing_urls_to_private_hosts_in_production(client, personas, repo, settings):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    client.force_login(personas.admin)
    url = reverse("outgoing_webhook_add", args=[repo.pk])
    for target in ("http://example.com/hook", "https://127.0.0.1/hook", "https://10.1.2.3/x"):
        assert client.post(url, {"url": target}).status_code == 400, target
    assert not OutgoingWebhook.objects.exists()
    for name, status in {"member": 403, "viewer": 403, "outsider": 404}.items():
        client.force_login(personas.get(name))
        assert client.post(url, {"url": "https://example.com/hook"}).status_code == status


def test_it_re_judges_the_gate_after_triage(client, personas, repo, django_capture_on_commit_callbacks):
    store(repo, finished_at=now() - timedelta(hours=1))
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        audit = store(repo, finding("e", "error"))
    assert GateResult.objects.get(audit=audit).status == "failed"
    client.force_login(personas.member)
    client.post(reverse("finding_triage", args=[audit.findings.get().pk]),
                {"state": "accepted_risk", "comment": "Behind a feature flag"})
    assert GateResult.objects.get(audit=audit).status == "passed"


def test_it_shows_the_gate_and_triage_on_the_pages(client, personas, repo, django_capture_on_commit_callbacks):
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        audit = store(repo, finding("e", "error"), finding("w", "warning"))
    decide(repo, "w", "false_positive", user=personas.admin, comment="Generated code")
    client.force_login(personas.viewer)
    projects = client.get(reverse("reports:projects")).content.decode()
    assert "Gate failed" in projects
    page = client.get(reverse("reports:audit", args=[audit.pk])).content.decode()
    assert "Gate failed" in page
    assert reverse("finding_triage", args=[audit.findings.get(fingerprint="e").pk]) in page
    assert "false positive" not in page  # the list shows open findings unless asked otherwise
    dismissed = client.get(reverse("reports:audit", args=[audit.pk]), {"state": "dismissed"}).content.decode()
    assert "false positive" in dismissed and "Generated code" in dismissed
    assert "1 dismissed · 0 ignored" in page
