"""Email digest subscriptions (one per member and team) and the deliveries made for them.

Daily and weekly digests are due-date driven: `next_digest_at` says when the next one is due,
and a tick claims a due subscription by moving `next_digest_at` forward with a conditional
UPDATE (WHERE next_digest_at = the value it read). Only one tick can win that update, so a
retried or duplicated tick never sends twice; `DigestDelivery.key` is a second, unique guard.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import models
from django.utils import timezone

from projects.models import SEVERITY_RANK, Audit, Severity
from teams.models import Team


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "After each audit"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


PERIOD = {Frequency.DAILY: timedelta(days=1), Frequency.WEEKLY: timedelta(days=7)}


class DigestSubscription(models.Model):
    UNSUBSCRIBE_SALT = "notifications.unsubscribe"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="digest_subscriptions")
    team = models.ForeignKey(Team, models.CASCADE, related_name="digest_subscriptions")
    enabled = models.BooleanField("email me", default=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    min_severity = models.CharField(
        "minimum severity", max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    only_changes = models.BooleanField("only when something is new or fixed", default=True)
    send_hour = models.PositiveSmallIntegerField(
        "hour (UTC)", default=7, help_text="Daily and weekly digests go out at this hour, UTC."
    )
    send_weekday = models.PositiveSmallIntegerField(
        "weekday", default=0, choices=[(i, d) for i, d in enumerate(
            ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])]
    )
    next_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The start of the period the next digest covers (the end of the last one).
    period_start = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="digest_unique_user_team")]
        indexes = [models.Index(fields=["enabled", "next_digest_at"], name="digest_due")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}: {self.frequency}"

    @property
    def min_rank(self) -> int:
        return SEVERITY_RANK[self.min_severity]

    def next_due(self, after: datetime) -> datetime | None:
        """The first send time strictly after `after` (None for the immediate kind)."""
        if self.frequency not in PERIOD:
            return None
        candidate = after.astimezone(UTC).replace(hour=self.send_hour, minute=0, second=0, microsecond=0)
        if self.frequency == Frequency.WEEKLY:
            candidate += timedelta(days=(self.send_weekday - candidate.weekday()) % 7)
        while candidate <= after:
            candidate += PERIOD[self.frequency]
        return candidate

    def reschedule(self, now: datetime | None = None) -> None:
        """Set the due date after a change of frequency or time (not saved)."""
        now = now or timezone.now()
        self.next_digest_at = self.next_due(now) if self.enabled else None
        if self.period_start is None or self.frequency == Frequency.IMMEDIATE:
            self.period_start = now

    def unsubscribe_token(self) -> str:
        return signing.dumps({"s": self.pk, "u": self.user_id}, salt=self.UNSUBSCRIBE_SALT, compress=True)

    @classmethod
    def from_unsubscribe_token(cls, token: str) -> DigestSubscription:
        """Raise signing.BadSignature or cls.DoesNotExist."""
        data = signing.loads(token, salt=cls.UNSUBSCRIBE_SALT)
        return cls.objects.select_related("team", "user").get(pk=data["s"], user_id=data["u"])


class DigestDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        RETRYING = "retrying", "Retrying"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (nothing new or fixed)"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(DigestSubscription, models.CASCADE, related_name="deliveries")
    # "audit:<id>" for an immediate digest, "period:<end>" for daily/weekly: never sent twice.
    key = models.CharField(max_length=80)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    audit = models.ForeignKey(Audit, models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "key"], name="digest_delivery_once")]

    def __str__(self) -> str:
        return f"Digest {self.key} for {self.subscription_id}: {self.status}"
