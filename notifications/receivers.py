from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from notifications.services import deliveries_for_audit
from projects.models import Audit
from projects.signals import audit_finished


@receiver(audit_finished, dispatch_uid="notifications.immediate_digests")
def _immediate_digests(sender: type, audit: Audit, **kwargs: Any) -> None:
    from notifications.tasks import send_digest

    for delivery in deliveries_for_audit(audit):
        transaction.on_commit(lambda pk=delivery.pk: send_digest.delay(pk))
