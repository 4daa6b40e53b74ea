"""Email digests through a real SMTP server (aiosmtpd on loopback): content, headers, links,
exactly-once under duplicated ticks, retries, unsubscribe, preferences."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.urls import reverse

from gates.tasks import evaluate_gate
from notifications import services
from notifications.models import DigestDelivery, DigestSubscription
from notifications.tasks import send_digest, send_due_digests
from tests.automation import Mailbox, eager_celery, finding, free_port, index, now, route, store
from tests.factories import RepositoryFactory
from triage.services import decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "Convex Auditor <auditor@example.com>"
    settings.SITE_URL = "https://auditor.example.com"
    yield mailbox
    controller.stop()


@pytest.fixture
def team_data(personas):
    """Two repositories: one audited before and during the period, one not audited in it."""
    repo = RepositoryFactory(team=personas.team, name="acme/chat", url="https://github.com/acme/chat.git")
    RepositoryFactory(team=personas.team, name="acme/quiet")
    store(
        repo,
        finding("old-warning", "warning", rule="db/unindexed-query", path="convex/messages.ts", line=3),
        finding("fixed-error", "error", rule="auth/missing-check", path="convex/users.ts", line=12),
        routes=[route("GET", "/health"), route("POST", "/legacy")],
        indexes=[index("messages", "by_channel", "channel")],
        finished_at=now() - timedelta(days=2),
    )
    current = store(
        repo,
        finding("old-warning", "warning", rule="db/unindexed-query", path="convex/messages.ts", line=3),
        finding("new-error", "error", rule="auth/public-mutation", path="convex/messages.ts", line=41),
        finding("new-info", "info", rule="style/naming", path="convex/misc.ts", line=2),
        finding("new-fp", "warning", rule="db/scan", path="convex/x.ts", line=5),
        routes=[route("GET", "/health"), route("POST", "/webhook")],
        indexes=[index("messages", "by_channel", "channel"), index("users", "by_email", "email")],
        finished_at=now() - timedelta(hours=1),
    )
    decide(repo, "new-fp", "false_positive", user=personas.admin, comment="Not reachable")
    evaluate_gate(current.pk)  # the after-audit chain's first step; reading never judges the gate
    return repo, current


def due_subscription(user, team, **fields) -> DigestSubscription:
    subscription = DigestSubscription.objects.create(user=user, team=team, **fields)
    DigestSubscription.objects.filter(pk=subscription.pk).update(
        next_digest_at=now() - timedelta(minutes=1), period_start=now() - timedelta(days=1)
    )
    subscription.refresh_from_db()
    return subscription


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_it_sends_a_daily_digest_with_both_parts_headers_and_links(client, smtp, personas, team_data,
                                                                  django_capture_on_commit_callbacks):
    _, current = team_data
    due_subscription(personas.member, personas.team)
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        assert send_due_digests() == 1
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert smtp.envelopes[0].rcpt_tos == ["member@acme.test"]
    assert message["To"] == "member@acme.test" and "auditor@example.com" in message["From"]
    assert message["Subject"].strip() == "[Acme] 1 new finding, 1 fixed, gate failed on 1 repository · Convex Auditor"
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)

    # New findings first, with rule, file:line and a link; fixed ones after; info and triaged left out.
    new_error = current.findings.get(fingerprint="new-error")
    link = "https://auditor.example.com" + reverse("finding_triage", args=[new_error.pk])
    assert "[error] auth/public-mutation at convex/messages.ts:41" in text and link in text
    assert text.index("New findings (1)") < text.index("Fixed findings (1)")
    assert "auth/missing-check at convex/users.ts:12" in text
    assert "style/naming" not in text and "db/scan" not in text
    assert f'href="{link}"' in html and "convex/messages.ts:41" in html
    assert "https://github.com/acme/chat/blob/" + current.commit_sha + "/convex/messages.ts#L41" in html
    assert html.index("New findings (1)") < html.index("Fixed findings (1)")

    # Counts and trend, gate, inventory diff, quiet repositories.
    assert "error: 1 (0)" in text and "warning: 1 (0)" in text and "info: 1 (+1)" in text
    assert "Quality gate: FAILED" in text and "Gate failed" in html
    assert "+ HTTP endpoint POST /webhook" in text and "- HTTP endpoint POST /legacy" in text
    assert "+ index users.by_email (email)" in text
    assert "Not audited in this period: acme/quiet" in text
    audit_link = "https://auditor.example.com" + reverse("reports:audit", args=[current.pk])
    assert f"Audit: {audit_link}" in text and f'href="{audit_link}"' in html

    # One-click unsubscribe: header, body link, and the link works with a POST and no session.
    unsubscribe = message["List-Unsubscribe"].strip().removeprefix("<").removesuffix(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text and unsubscribe in html
    path = urlsplit(unsubscribe).path
    assert client.get(path).status_code == 200
    assert DigestSubscription.objects.get(user=personas.member).enabled
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not DigestSubscription.objects.get(user=personas.member).enabled

    delivery = DigestDelivery.objects.get()
    assert delivery.status == "sent" and delivery.attempts == 1


def test_it_sends_once_when_the_tick_is_duplicated(smtp, personas, team_data, django_capture_on_commit_callbacks):
    subscription = due_subscription(personas.member, personas.team)
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        # Two ticks that both read the subscription as due before either claims it ...
        tick_a = services.due_subscriptions(now())
        tick_b = services.due_subscriptions(now())
        won_b = [services.claim(s, now()) for s in tick_b]
        won_a = [services.claim(s, now()) for s in tick_a]
        # ... then a retried tick and a redelivered send task.
        assert send_due_digests() == 0
        for delivery in won_b:
            send_digest.delay(delivery.pk)
    assert [d is not None for d in won_b] == [True] and won_a == [None]
    assert len(smtp.messages) == 1
    assert DigestDelivery.objects.count() == 1
    subscription.refresh_from_db()
    assert subscription.next_digest_at > now()


@pytest.mark.django_db(transaction=True)
def test_it_sends_once_when_ticks_run_concurrently(smtp, personas, team_data):
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need a server database (the CI's PostgreSQL run)")
    due_subscription(personas.member, personas.team)
    barrier = threading.Barrier(4)
    results: list[int] = []

    def tick() -> None:
        try:
            barrier.wait()
            results.append(len(services.claim_due()))
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]
    with eager_celery():
        send_digest.delay(DigestDelivery.objects.get().pk)
    assert len(smtp.messages) == 1


def test_it_retries_a_failed_send_with_backoff_then_records_it(smtp, personas, team_data, monkeypatch):
    due_subscription(personas.member, personas.team)
    delays: list[int] = []
    original = send_digest.retry

    def retry(*args, **kwargs):
        delays.append(kwargs.get("countdown"))
        return original(*args, **kwargs)

    monkeypatch.setattr(send_digest, "retry", retry)
    smtp.failures = 2
    (delivery,) = services.claim_due()
    with eager_celery():
        send_digest.delay(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert delays == [60, 120] and len(smtp.messages) == 1

    smtp.failures = 100
    due_subscription(personas.viewer, personas.team)
    (delivery,) = services.claim_due()
    with eager_celery():
        send_digest.delay(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "451" in delivery.error and delivery.attempts == 5
    assert len(smtp.messages) == 1


def test_it_skips_a_digest_with_nothing_new_or_fixed(smtp, personas):
    repo = RepositoryFactory(team=personas.team)
    store(repo, finding("same"), finished_at=now() - timedelta(days=2))
    store(repo, finding("same"), finished_at=now() - timedelta(hours=2))
    due_subscription(personas.member, personas.team)
    due_subscription(personas.viewer, personas.team, only_changes=False)
    with eager_celery():
        for delivery in services.claim_due():
            send_digest.delay(delivery.pk)
    statuses = dict(DigestDelivery.objects.values_list("subscription__user__email", "status"))
    assert statuses == {"member@acme.test": "skipped", "viewer@acme.test": "sent"}
    assert [m["To"] for m in smtp.messages] == ["viewer@acme.test"]
    assert "Nothing new or fixed." in parts(smtp.messages[0])[0]


def test_it_emails_immediately_after_an_audit(smtp, personas, django_capture_on_commit_callbacks):
    repo = RepositoryFactory(team=personas.team, name="acme/api")
    DigestSubscription.objects.create(user=personas.admin, team=personas.team, frequency="immediate",
                                      min_severity="error")
    DigestSubscription.objects.create(user=personas.viewer, team=personas.team, frequency="daily")
    DigestSubscription.objects.create(user=personas.outsider, team=personas.other_team, frequency="immediate")
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        store(repo, finding("w1", "warning"), finished_at=None)
        audit = store(repo, finding("w1", "warning"), finding("e1", "error", line=99))
    assert [m["To"] for m in smtp.messages] == ["admin@acme.test"]  # the first audit had no error
    text, _ = parts(smtp.messages[0])
    assert "[error] db/unindexed-query at convex/messages.ts:99" in text
    assert "[warning]" not in text and "messages.ts:7" not in text
    assert DigestDelivery.objects.get(status="sent").audit == audit


def test_it_refuses_a_tampered_unsubscribe_token(client, personas):
    subscription = DigestSubscription.objects.create(user=personas.member, team=personas.team)
    token = subscription.unsubscribe_token()
    response = client.post(reverse("digest_unsubscribe", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert DigestSubscription.objects.get().enabled


def email_settings(**env: str) -> list[str]:
    """The email settings a fresh process reads from this environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEFAULT_FROM"))}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND); print(getattr(s, 'EMAIL_FILE_PATH', '')); "
        "print(getattr(s, 'EMAIL_HOST', ''), getattr(s, 'EMAIL_PORT', ''), getattr(s, 'EMAIL_USE_TLS', '')); "
        "print(s.DEFAULT_FROM_EMAIL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "auditor.settings", "DEBUG": "1", **env},
        capture_output=True, text=True, check=True, cwd=str(Path(__file__).resolve().parents[2]),
    )
    return result.stdout.splitlines()


def test_it_takes_the_email_backend_from_the_environment():
    backend, path, _, _ = email_settings()
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert path.endswith("var/sent-emails")
    backend, _, smtp, sender = email_settings(
        EMAIL_HOST="smtp.example.com", EMAIL_PORT="2525", EMAIL_USE_TLS="0", DEFAULT_FROM_EMAIL="a@example.com"
    )
    assert backend == "django.core.mail.backends.smtp.EmailBackend"
    assert smtp == "smtp.example.com 2525 False" and sender == "a@example.com"


def test_it_lets_each_member_edit_their_own_preferences(client, personas):
    url = reverse("digest_team_preferences", args=[personas.team.pk])
    form = {f"team{personas.team.pk}-{k}": v for k, v in {
        "enabled": "on", "frequency": "weekly", "min_severity": "error", "send_hour": 9, "send_weekday": 2,
    }.items()}
    for name, status in {"owner": 302, "admin": 302, "member": 302, "viewer": 302, "outsider": 404}.items():
        client.force_login(personas.get(name))
        assert client.get(reverse("digest_preferences")).status_code == 200
        assert client.post(url, form).status_code == status, name
    subscription = DigestSubscription.objects.get(user=personas.viewer, team=personas.team)
    assert (subscription.frequency, subscription.min_severity, subscription.only_changes) == ("weekly", "error", False)
    assert subscription.next_digest_at.weekday() == 2 and subscription.next_digest_at.hour == 9
    assert not DigestSubscription.objects.filter(user=personas.outsider, team=personas.team).exists()


def test_it_does_not_resend_when_closing_the_connection_fails(smtp, personas, team_data, monkeypatch):
    from django.core.mail.backends.smtp import EmailBackend

    def slow_quit(self):
        raise TimeoutError("QUIT timed out")

    monkeypatch.setattr(EmailBackend, "close", slow_quit)
    due_subscription(personas.member, personas.team)
    (delivery,) = services.claim_due()
    with eager_celery():
        send_digest.delay(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert len(smtp.messages) == 1
