"""Which digests are due, claiming them exactly once, and sending one delivery."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from notifications import digest as digests
from notifications import mail
from notifications.models import PERIOD, DigestDelivery, DigestSubscription, Frequency
from projects.models import Audit
from teams.models import Membership

log = logging.getLogger(__name__)


def subscription_for(membership: Membership, *, create: bool = True) -> DigestSubscription:
    """The member's subscription; with create=False an unsaved default when there is none yet
    (a page that reads writes nothing; the beat tick or saving the form stores it)."""
    subscription = DigestSubscription.objects.filter(user_id=membership.user_id, team_id=membership.team_id).first()
    if subscription is None and not create:
        subscription = DigestSubscription(user_id=membership.user_id, team_id=membership.team_id)
        subscription.reschedule()
        return subscription
    if subscription is None:
        subscription = DigestSubscription(user_id=membership.user_id, team_id=membership.team_id)
        subscription.reschedule()
        try:
            with transaction.atomic():
                subscription.save()
        except IntegrityError:
            subscription = DigestSubscription.objects.get(user_id=membership.user_id, team_id=membership.team_id)
    return subscription


def ensure_subscriptions() -> int:
    """Give every membership without a subscription the default one (daily, warnings and up)."""
    missing = Membership.objects.filter(
        ~Exists(DigestSubscription.objects.filter(user_id=OuterRef("user_id"), team_id=OuterRef("team_id")))
    ).values_list("user_id", "team_id")
    now = timezone.now()
    rows = []
    for user_id, team_id in missing:
        subscription = DigestSubscription(user_id=user_id, team_id=team_id)
        subscription.reschedule(now)
        rows.append(subscription)
    DigestSubscription.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _member(subscription_qs):
    return subscription_qs.filter(
        Exists(Membership.objects.filter(user_id=OuterRef("user_id"), team_id=OuterRef("team_id")))
    )


def due_subscriptions(now: datetime) -> list[DigestSubscription]:
    return list(
        _member(
            DigestSubscription.objects.filter(
                enabled=True, frequency__in=list(PERIOD), next_digest_at__isnull=False, next_digest_at__lte=now
            )
        ).order_by("next_digest_at", "id")
    )


def claim(subscription: DigestSubscription, now: datetime) -> DigestDelivery | None:
    """Claim one due subscription as read by this tick; None if another tick claimed it first.

    The claim is `UPDATE ... SET next_digest_at = <next> WHERE id = ? AND next_digest_at = <read>`:
    of two ticks that read the same row only one updates it, the other's claim matches no row.
    """
    due_at = subscription.next_digest_at
    if due_at is None:
        return None
    start = subscription.period_start or (due_at - PERIOD[subscription.frequency])
    with transaction.atomic():
        won = DigestSubscription.objects.filter(pk=subscription.pk, next_digest_at=due_at).update(
            next_digest_at=subscription.next_due(now), period_start=due_at
        )
        if not won:
            return None
        delivery, created = DigestDelivery.objects.get_or_create(
            subscription=subscription,
            key=f"period:{due_at.isoformat()}",
            defaults={"period_start": start, "period_end": due_at},
        )
    return delivery if created else None


def claim_due(now: datetime | None = None) -> list[DigestDelivery]:
    """Claim every due daily/weekly subscription once; returns the deliveries to send."""
    now = now or timezone.now()
    claimed = (claim(subscription, now) for subscription in due_subscriptions(now))
    return [delivery for delivery in claimed if delivery is not None]


def deliveries_for_audit(audit: Audit) -> list[DigestDelivery]:
    """The immediate kind: one delivery per subscriber of the audit's team, once per audit."""
    subscriptions = _member(
        DigestSubscription.objects.filter(
            team_id=audit.repository.team_id, enabled=True, frequency=Frequency.IMMEDIATE
        )
    )
    made = []
    for subscription in subscriptions:
        delivery, created = DigestDelivery.objects.get_or_create(
            subscription=subscription,
            key=f"audit:{audit.pk}",
            defaults={"period_start": audit.finished_at, "period_end": audit.finished_at, "audit": audit},
        )
        if created:
            made.append(delivery)
    return made


def send_delivery(delivery: DigestDelivery) -> str:
    """Build and send one digest. Raises on a sending failure (the task retries); returns the status."""
    subscription = delivery.subscription
    if not subscription.enabled:
        delivery.status = DigestDelivery.Status.SKIPPED
        delivery.error = "unsubscribed before sending"
        delivery.save(update_fields=["status", "error"])
        return delivery.status
    if delivery.audit_id:
        digest = digests.build_for_audit(subscription, delivery.audit)  # type: ignore[arg-type]
    else:
        digest = digests.build_period(subscription, delivery.period_start, delivery.period_end)
    if not digest.sections or (subscription.only_changes and not digest.has_changes):
        delivery.status = DigestDelivery.Status.SKIPPED
        delivery.save(update_fields=["status"])
        return delivery.status
    message = mail.render_digest(digest)
    delivery.subject = message.subject[:300]
    delivery.attempts += 1
    delivery.save(update_fields=["subject", "attempts"])
    mail.send(message)
    delivery.status = DigestDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.error = ""
    delivery.save(update_fields=["status", "sent_at", "error"])
    return delivery.status
