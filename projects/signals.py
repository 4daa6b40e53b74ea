"""Signals the pipeline sends for the apps built around it (gates, digests, schedules, webhooks)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

log = logging.getLogger(__name__)

# Sent with `audit=<Audit>` once an audit is stored as done (analysed, or reused for a commit
# already audited), after the transaction that stored it commits. Receivers must be cheap:
# anything slow belongs in a Celery task they queue.
audit_finished = Signal()
# Sent with `audit=<Audit>` once an audit is stored as failed, after commit (e.g. so a pull
# request's check run is completed instead of staying "in progress").
audit_failed = Signal()


def announce_finished(audit) -> None:
    """Send `audit_finished` after commit; a failing receiver is logged, never fails the audit."""
    _announce(audit_finished, audit)


def announce_failed(audit) -> None:
    """Send `audit_failed` after commit, as `announce_finished` does."""
    _announce(audit_failed, audit)


def _announce(signal: Signal, audit) -> None:
    def send() -> None:
        for receiver, result in signal.send_robust(sender=type(audit), audit=audit):
            if isinstance(result, Exception):
                log.error("%s receiver %r failed for audit %s", signal, receiver, audit.pk, exc_info=result)

    transaction.on_commit(send)
