from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from gates import services
from projects.models import Audit
from projects.signals import audit_finished


@receiver(audit_finished, dispatch_uid="gates.evaluate")
def _evaluate_gate(sender: type, audit: Audit, **kwargs: Any) -> None:
    services.evaluate(audit)
