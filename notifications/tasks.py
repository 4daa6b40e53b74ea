from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications import services
from notifications.models import DigestDelivery
from projects.after_audit import RETRY_OPTIONS, delivery_retries
from projects.models import Audit

log = logging.getLogger(__name__)

MAX_RETRIES = 4
SENDING_TIMEOUT = timedelta(minutes=10)


class SendingFailed(Exception):
    """A transient mail problem; Celery retries the delivery with backoff."""


@shared_task(**RETRY_OPTIONS, ignore_result=True)
def queue_immediate_digests(audit_id: int) -> int:
    """After-audit step 3: one immediate digest per subscriber of the audit's team, once per audit."""
    audit = Audit.objects.select_related("repository").filter(pk=audit_id, state=Audit.State.DONE).first()
    if audit is None:
        return 0
    deliveries = services.deliveries_for_audit(audit)
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: send_digest.delay(pk))
    return len(deliveries)


@shared_task(acks_late=True, ignore_result=True)
def send_due_digests() -> int:
    """Beat, every minute: claim the due digests and queue one send task for each."""
    services.ensure_subscriptions()
    claimed = services.claim_due()
    for delivery in claimed:
        transaction.on_commit(lambda pk=delivery.pk: send_digest.delay(pk))
    return len(claimed)


@shared_task(**delivery_retries(SendingFailed, first_wait=60, attempts=MAX_RETRIES + 1, time_limit=120))
def send_digest(self, delivery_id: int) -> str | None:
    """Send one claimed delivery; Celery retries a mail failure with backoff, the last one is
    recorded as failed."""
    # Claim the row for this attempt with a conditional UPDATE: a duplicated or redelivered message
    # finds it sending or sent and stops. A claim older than SENDING_TIMEOUT (worker died) lapses.
    now = timezone.now()
    claimed = (
        DigestDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(status__in=[DigestDelivery.Status.PENDING, DigestDelivery.Status.RETRYING])
            | Q(status=DigestDelivery.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
        )
        .update(status=DigestDelivery.Status.SENDING, claimed_at=now)
    )
    if not claimed:
        return None
    delivery = DigestDelivery.objects.select_related("subscription__user", "subscription__team", "audit").get(
        pk=delivery_id
    )
    try:
        return services.send_delivery(delivery)
    except (smtplib.SMTPException, OSError) as error:
        message = f"{type(error).__name__}: {error}"[:500]
        if self.request.retries < (self.max_retries or 0):
            DigestDelivery.objects.filter(pk=delivery_id).update(status=DigestDelivery.Status.RETRYING, error=message)
            raise SendingFailed(message) from error
        DigestDelivery.objects.filter(pk=delivery_id).update(status=DigestDelivery.Status.FAILED, error=message)
        log.warning("digest delivery %s failed: %s", delivery_id, message)
        return DigestDelivery.Status.FAILED
    except Exception as error:
        # Not a transient mail problem: retrying would fail the same way.
        log.exception("digest delivery %s crashed", delivery_id)
        DigestDelivery.objects.filter(pk=delivery_id).update(
            status=DigestDelivery.Status.FAILED, error=f"{type(error).__name__}: {error}"[:500]
        )
        return DigestDelivery.Status.FAILED
