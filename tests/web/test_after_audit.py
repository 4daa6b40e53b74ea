"""The work after an audit (projects.after_audit): one ordered Celery chain, each step retried
by Celery's own autoretry_for and retry_backoff."""

from __future__ import annotations

import pytest
from celery import current_app
from django.db import OperationalError

from gates import services as gate_services
from gates.models import GateResult
from notifications import services as digest_services
from projects import after_audit
from tests.automation import Receiver, eager_celery, finding, store
from tests.factories import RepositoryFactory
from webhooks import services as webhook_services
from webhooks.models import OutgoingDelivery, OutgoingWebhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo(personas):
    return RepositoryFactory(team=personas.team)


def record_calls(monkeypatch, calls: list[str], failures: dict[str, int] | None = None) -> None:
    """Note each step's service call in `calls`; the first `failures[name]` calls of a step fail
    as a database hiccup would."""
    failures = dict(failures or {})
    for name, module, attribute in (
        ("gate", gate_services, "evaluate"),
        ("webhooks", webhook_services, "queue_outgoing"),
        ("digests", digest_services, "deliveries_for_audit"),
    ):
        original = getattr(module, attribute)

        def wrapper(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            if failures.get(_name):
                failures[_name] -= 1
                raise OperationalError("database is restarting")
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, attribute, wrapper)


def test_it_runs_gate_then_webhooks_then_digests_after_an_audit(repo, monkeypatch, django_capture_on_commit_callbacks):
    calls: list[str] = []
    record_calls(monkeypatch, calls)
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        store(repo, finding("e", "error"))
    assert calls == ["gate", "webhooks", "digests"]
    names = [signature.task for signature in after_audit.steps(1).tasks]
    assert names.index("gates.tasks.evaluate_gate") < names.index("webhooks.tasks.queue_webhooks") \
        < names.index("notifications.tasks.queue_immediate_digests")


def test_it_retries_each_step_with_celerys_own_backoff():
    for name in after_audit.STEPS:
        task = current_app.tasks[name]
        assert OperationalError in task.autoretry_for, name
        assert task.retry_backoff and task.max_retries, name
    for name in ("webhooks.tasks.deliver_gate_webhook", "notifications.tasks.send_digest"):
        task = current_app.tasks[name]
        assert task.autoretry_for and task.retry_backoff, name


def test_it_retries_a_failing_step_and_goes_on_in_order(repo, allow_local_repos, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    calls: list[str] = []
    record_calls(monkeypatch, calls, failures={"gate": 2})
    with Receiver() as receiver, eager_celery():
        hook = OutgoingWebhook(repository=repo, url=receiver.url)
        hook.set_secret("s")
        hook.save()
        with django_capture_on_commit_callbacks(execute=True):
            audit = store(repo, finding("e", "error"))
    assert calls == ["gate", "gate", "gate", "webhooks", "digests"]
    assert GateResult.objects.get(audit=audit).status == "failed"
    assert OutgoingDelivery.objects.get().status == "delivered" and len(receiver.requests) == 1
