"""The work after an audit is stored, as one ordered Celery chain: gate → GitHub (check run,
comment, SARIF) → webhooks → digests → schedule run; after an audit fails, the GitHub step alone;
when a worker starts a pull request's audit, the GitHub step that marks its check run in progress.

Each step is a task of its own app, named here rather than imported (the apps build on
projects, not the other way round). Each takes the audit's id, is idempotent (it stores its
result keyed by the audit, so running it twice changes nothing), and is retried by Celery with
`autoretry_for` and `retry_backoff`. A step that still fails stops the chain: webhooks never
announce a gate that was not judged.
"""

from __future__ import annotations

import importlib

from celery import chain, current_app
from django.db import InterfaceError, OperationalError, transaction

from projects.models import Audit

STEPS = (
    "gates.tasks.evaluate_gate",
    "githubapp.tasks.publish_audit",
    "webhooks.tasks.queue_webhooks",
    "notifications.tasks.queue_immediate_digests",
    "schedules.tasks.record_schedule_run",
)
# Shared by the steps: transient failures (a database or broker hiccup, a network error).
RETRY_OPTIONS = {
    "autoretry_for": (OSError, OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
    "acks_late": True,
    "time_limit": 120,
    "soft_time_limit": 100,
}


FAILED_STEPS = ("githubapp.tasks.publish_audit",)
# Once a worker starts a pull request's audit: its check run goes in_progress.
STARTED_STEPS = ("githubapp.tasks.audit_started",)


def delivery_retries(failure: type[Exception], *, first_wait: int, attempts: int, time_limit: int) -> dict:
    """Task options for one delivery (a digest, a webhook): `failure` retried by Celery with
    exponential backoff from `first_wait` seconds (no jitter: one message, no herd to spread)."""
    return {
        "bind": True,
        "acks_late": True,
        "ignore_result": True,
        "autoretry_for": (failure,),
        "retry_backoff": first_wait,
        "retry_backoff_max": 3600,
        "retry_jitter": False,
        "max_retries": attempts - 1,
        "time_limit": time_limit,
        "soft_time_limit": time_limit - time_limit // 5,
    }


def steps(audit_id: int, names: tuple[str, ...] = STEPS) -> chain:
    signatures = []
    for name in names:
        importlib.import_module(name.rsplit(".", 1)[0])  # registers the task in this process
        signatures.append(current_app.tasks[name].si(audit_id))
    return chain(*signatures)


def start(audit: Audit) -> None:
    """Queue the chain once the transaction that stored the audit commits."""
    audit_id = audit.pk
    transaction.on_commit(lambda: steps(audit_id).apply_async())


def start_failed(audit: Audit) -> None:
    """Queue the steps that follow a failed audit (a pull request's check run is completed)."""
    audit_id = audit.pk
    transaction.on_commit(lambda: steps(audit_id, FAILED_STEPS).apply_async())


def started(audit: Audit) -> None:
    """Queue the steps that follow a worker starting a pull request's audit."""
    audit_id = audit.pk
    transaction.on_commit(lambda: steps(audit_id, STARTED_STEPS).apply_async())
