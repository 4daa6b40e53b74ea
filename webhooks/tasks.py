from __future__ import annotations

import logging

import httpx
from celery import shared_task
from django.utils import timezone

from projects import gitops
from projects.after_audit import RETRY_OPTIONS, delivery_retries
from projects.models import Audit
from webhooks import services
from webhooks.models import OutgoingDelivery

log = logging.getLogger(__name__)

MAX_RETRIES = 5


class DeliveryFailed(Exception):
    """The receiver did not take the delivery (an error status, a refused or failed request)."""


@shared_task(**RETRY_OPTIONS, ignore_result=True)
def queue_webhooks(audit_id: int) -> int:
    """After-audit step 2: one delivery per active outgoing webhook, once per audit."""
    audit = Audit.objects.select_related("repository").filter(pk=audit_id, state=Audit.State.DONE).first()
    return len(services.queue_outgoing(audit)) if audit is not None else 0


@shared_task(**delivery_retries(DeliveryFailed, first_wait=30, attempts=MAX_RETRIES + 1, time_limit=60))
def deliver_gate_webhook(self, delivery_id: int) -> str | None:
    """POST one gate result; Celery retries a failure with exponential backoff, each attempt is
    logged on the row, and the last one marks it failed."""
    delivery = OutgoingDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (OutgoingDelivery.Status.DELIVERED, OutgoingDelivery.Status.FAILED):
        return delivery.status if delivery else None
    delivery.attempts += 1
    error = ""
    code: int | None = None
    try:
        code = services.post(delivery)
        if 300 <= code < 400:
            error = f"HTTP {code}: redirects are not followed"
        elif not 200 <= code < 300:
            error = f"HTTP {code}"
    except gitops.RemoteError as problem:
        error = problem.message
    except httpx.HTTPError as problem:
        error = f"{type(problem).__name__}: {problem}"[:500]
    delivery.response_status = code
    delivery.error = error[:500]
    if not error:
        delivery.status = OutgoingDelivery.Status.DELIVERED
        delivery.finished_at = timezone.now()
        delivery.save()
        return delivery.status
    if self.request.retries < (self.max_retries or 0):
        delivery.status = OutgoingDelivery.Status.RETRYING
        delivery.save()
        raise DeliveryFailed(error)
    delivery.status = OutgoingDelivery.Status.FAILED
    delivery.finished_at = timezone.now()
    delivery.save()
    log.warning("gate webhook delivery %s failed after %s attempts: %s", delivery.pk, delivery.attempts, error)
    return delivery.status
