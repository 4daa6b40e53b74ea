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


def announce_finished(audit) -> None:
    """Send `audit_finished` after commit; a failing receiver is logged, never fails the audit."""

    def send() -> None:
        for receiver, result in audit_finished.send_robust(sender=type(audit), audit=audit):
            if isinstance(result, Exception):
                log.error("audit_finished receiver %r failed for audit %s", receiver, audit.pk, exc_info=result)

    transaction.on_commit(send)
