from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from projects.models import Audit
from projects.signals import audit_finished
from webhooks.services import queue_outgoing


@receiver(audit_finished, dispatch_uid="webhooks.queue_outgoing")
def _queue_outgoing(sender: type, audit: Audit, **kwargs: Any) -> None:
    queue_outgoing(audit)
