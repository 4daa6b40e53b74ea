"""Issue 4 end to end on the real services: a signed GitHub push → a real `celery worker` audits
the commit → the gate is judged → the outgoing webhook reaches a loopback receiver and the
immediate digest reaches a loopback SMTP server, all sent by the worker.

Runs in the second pass of .ci/run (PostgreSQL + Redis); skipped otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import uuid

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from auditor.celery import app
from gates.models import GateResult
from notifications.models import DigestDelivery, DigestSubscription
from projects.models import Audit
from tests.automation import Mailbox, Receiver, free_port
from tests.celery_workers import Worker, purge_queue, wait_until
from webhooks.models import GitHubDelivery, OutgoingDelivery, OutgoingWebhook
from webhooks.services import github_webhook_for, github_webhook_path

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith(("postgres", "psql"))),
        reason="needs DATABASE_URL=postgres://... and REDIS_URL=redis://... (see .ci/run)",
    ),
]


def test_it_audits_a_pushed_commit_and_sends_the_gate_and_digest_from_a_worker(
    transactional_db, tmp_path, allow_local_repos, repository, local_remote, personas, client
):
    queue = f"auditor-it4-{uuid.uuid4().hex[:8]}"
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    before_queue = app.conf.task_default_queue
    with Receiver() as receiver:
        hook = github_webhook_for(repository)
        outgoing = OutgoingWebhook(repository=repository, url=receiver.url)
        outgoing.set_secret("gate-secret")
        outgoing.save()
        DigestSubscription.objects.create(user=personas.member, team=personas.team, frequency="immediate",
                                          min_severity="info", only_changes=False)
        connection.close()  # the worker and this process each keep their own connection
        worker = Worker(
            queue,
            tmp_path / "worker.log",
            CELERY_TASK_DEFAULT_QUEUE=queue,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            EMAIL_USE_TLS="0",
            SITE_URL="https://auditor.example.com",
        )
        app.conf.task_default_queue = queue  # this process's sends (the webhook view) go to that worker
        try:
            sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=local_remote.work, capture_output=True,
                                 text=True, check=True).stdout.strip()
            body = json.dumps({"ref": "refs/heads/main", "after": sha}).encode()
            signature = "sha256=" + hmac.new(hook.get_secret().encode(), body, hashlib.sha256).hexdigest()
            response = client.post(
                github_webhook_path(hook), data=body, content_type="application/json",
                headers={"X-GitHub-Event": "push", "X-GitHub-Delivery": "it-1", "X-Hub-Signature-256": signature},
            )
            assert response.status_code == 202, response.content
            audit_id = response.json()["audit"]
            assert GitHubDelivery.objects.get().status == "queued"

            wait_until(lambda: Audit.objects.filter(pk=audit_id, state__in=["done", "failed"]).exists(), 120,
                       "the audit", worker.output)
            audit = Audit.objects.get(pk=audit_id)
            assert audit.state == "done", audit.failure_reason
            assert (audit.commit_sha, audit.trigger) == (sha, "webhook")
            wait_until(lambda: bool(receiver.requests) and bool(mailbox.messages), 60, "the webhook and the email",
                       worker.output)
        finally:
            app.conf.task_default_queue = before_queue
            worker.kill(signal.SIGTERM)
            worker.log.close()
            smtp.stop()
            purge_queue(queue)

    result = GateResult.objects.get(audit_id=audit_id)
    request = receiver.requests[0]
    assert request["headers"]["X-Auditor-Signature-256"] == "sha256=" + hmac.new(
        b"gate-secret", request["body"], hashlib.sha256).hexdigest()
    assert json.loads(request["body"])["gate"]["status"] == result.status
    assert OutgoingDelivery.objects.get().status == "delivered"
    message = mailbox.messages[0]
    assert message["To"] == "member@acme.test" and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert DigestDelivery.objects.get().status == "sent"
