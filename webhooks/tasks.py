from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from projects import gitops
from webhooks import services
from webhooks.models import OutgoingDelivery

log = logging.getLogger(__name__)

MAX_RETRIES = 5


def backoff(retries: int) -> int:
    return min(30 * 2**retries, 3600)


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES, ignore_result=True)
def deliver_gate_webhook(self, delivery_id: int) -> str | None:
    """POST one gate result; retried with exponential backoff, each attempt logged on the row."""
    delivery = OutgoingDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (OutgoingDelivery.Status.DELIVERED, OutgoingDelivery.Status.FAILED):
        return delivery.status if delivery else None
    delivery.attempts += 1
    error = ""
    code: int | None = None
    try:
        code = services.post(delivery)
        if not 200 <= code < 300:
            error = f"HTTP {code}"
    except gitops.RemoteError as problem:
        error = problem.message
    except (OSError, ValueError) as problem:
        error = f"{type(problem).__name__}: {problem}"[:500]
    delivery.response_status = code
    delivery.error = error
    if not error:
        delivery.status = OutgoingDelivery.Status.DELIVERED
        delivery.finished_at = timezone.now()
        delivery.save()
        return delivery.status
    if self.request.retries < (self.max_retries or 0):
        delivery.status = OutgoingDelivery.Status.RETRYING
        delivery.save()
        raise self.retry(countdown=backoff(self.request.retries))
    delivery.status = OutgoingDelivery.Status.FAILED
    delivery.finished_at = timezone.now()
    delivery.save()
    log.warning("gate webhook delivery %s failed after %s attempts: %s", delivery.pk, delivery.attempts, error)
    return delivery.status
