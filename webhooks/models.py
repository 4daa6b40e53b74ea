"""GitHub's inbound webhooks (push → audit) and our outgoing gate webhooks.

Secrets are Fernet-encrypted at rest with the same keys as repository tokens.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from projects import crypto
from projects.models import Audit, Repository


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class EncryptedSecret:
    """The signing secret of a webhook, kept as Fernet ciphertext in `secret_encrypted`."""

    secret_encrypted: str

    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = crypto.encrypt(secret)

    def get_secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)


class GitHubWebhook(EncryptedSecret, models.Model):
    repository = models.OneToOneField(Repository, models.CASCADE, related_name="github_webhook")
    # In the URL instead of the repository id: unguessable, and rotating it retires the old URL.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    secret_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"GitHub webhook of {self.repository_id}"


class GitHubDelivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Audit queued"
        PONG = "pong", "Ping answered"
        IGNORED = "ignored", "Ignored"
        BAD_SIGNATURE = "bad_signature", "Bad signature"

    hook = models.ForeignKey(GitHubWebhook, models.CASCADE, related_name="deliveries")
    delivery_id = models.CharField(max_length=100)
    event = models.CharField(max_length=50)
    status = models.CharField(max_length=20, choices=Status.choices)
    detail = models.CharField(max_length=300, blank=True)
    audit = models.ForeignKey(Audit, models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # A replayed delivery id is refused by the database, not by a racy lookup; deliveries
            # that failed the signature check don't count, or anyone could pre-empt a real id.
            models.UniqueConstraint(
                fields=["hook", "delivery_id"],
                condition=~Q(status="bad_signature"),
                name="github_delivery_unique_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.delivery_id}: {self.status}"


class OutgoingWebhook(EncryptedSecret, models.Model):
    """Receives the gate result, as HMAC-SHA256-signed JSON, after each audit."""

    class Format(models.TextChoices):
        JSON = "json", "Signed JSON (the gate result)"
        SLACK = "slack", "Slack incoming webhook"
        TEAMS = "teams", "Microsoft Teams incoming webhook"

    repository = models.ForeignKey(Repository, models.CASCADE, related_name="outgoing_webhooks")
    url = models.URLField(max_length=500)
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(default=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.JSON)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class OutgoingDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(OutgoingWebhook, models.CASCADE, related_name="deliveries")
    audit = models.ForeignKey(Audit, models.CASCADE, related_name="+")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["webhook", "audit"], name="outgoing_delivery_once")]

    def __str__(self) -> str:
        return f"Delivery of audit {self.audit_id} to {self.webhook_id}: {self.status}"
