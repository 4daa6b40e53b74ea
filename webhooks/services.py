"""Signing, verification, and the outgoing delivery itself."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse

from auditor import net
from gates import services as gates
from projects import comparison, gitops
from projects.models import Audit, Repository
from webhooks import formats
from webhooks.models import GitHubWebhook, OutgoingDelivery, OutgoingWebhook, new_secret

USER_AGENT = "ConvexAuditor-Hookshot/1"
TIMEOUT_SECONDS = 10


MAX_BODY_BYTES = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB


def read_github_body(request: HttpRequest) -> bytes | None:
    """A GitHub delivery's body, or None when it is over GitHub's 25 MB cap. Read from the
    stream, not request.body: push payloads may exceed DATA_UPLOAD_MAX_MEMORY_SIZE."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)
    return body if len(body) <= MAX_BODY_BYTES else None


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    return bool(header) and hmac.compare_digest(sign(secret, body).encode(), (header or "").encode())


def github_webhook_for(repository: Repository) -> GitHubWebhook:
    hook = GitHubWebhook.objects.filter(repository=repository).first()
    if hook is None:
        hook = GitHubWebhook(repository=repository)
        hook.set_secret(new_secret())
        try:
            with transaction.atomic():
                hook.save()
        except IntegrityError:  # made by a concurrent request
            hook = GitHubWebhook.objects.get(repository=repository)
    return hook


def github_webhook_path(hook: GitHubWebhook) -> str:
    return reverse("github_webhook", args=[hook.key])


def validate_outgoing_url(url: str) -> None:
    """https:// to a public host (http:// and local hosts only with AUDITOR_ALLOW_LOCAL_REPOS)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and gitops.allow_local()):
        raise gitops.RemoteError(gitops.RemoteError.FORBIDDEN, "Use an https:// URL.")
    if not parts.hostname:
        raise gitops.RemoteError(gitops.RemoteError.MALFORMED, "The URL has no host name.")
    gitops.check_host(parts.hostname)


def payload_for(audit: Audit) -> dict[str, Any]:
    repository = audit.repository
    return {
        "event": "audit.gate",
        "repository": {"id": repository.pk, "name": repository.name, "url": repository.url,
                       "branch": repository.branch},
        "audit": {
            "id": audit.pk,
            "commit": audit.commit_sha,
            "trigger": audit.trigger,
            "finished_at": audit.finished_at.isoformat() if audit.finished_at else None,
            "counts": audit.counts(),
            "new": audit.new_count,
            "fixed": audit.fixed_count,
            "no_change": bool(audit.reused_from_id),
            "url": settings.SITE_URL + reverse("reports:audit", args=[audit.pk]),
        },
        "gate": gates.as_dict(repository, audit),
        # The first open findings the audit added since its baseline, worst first.
        "new_findings": [
            {
                "rule": f.rule,
                "severity": f.severity,
                "path": f.path,
                "line": f.line,
                "message": f.message[:300],
                "url": repository.file_url(audit.result.commit_sha, f.path, f.line),
            }
            for f in comparison.new_findings(audit.result)[: formats.MAX_LISTED]
        ],
        "site": settings.SITE_URL,
    }


def queue_outgoing(audit: Audit) -> list[OutgoingDelivery]:
    """One delivery per active webhook of the repository; running it again queues nothing more."""
    from webhooks.tasks import deliver_gate_webhook

    created: list[OutgoingDelivery] = []
    hooks = list(OutgoingWebhook.objects.filter(repository_id=audit.repository_id, active=True))
    if not hooks:
        return created
    payload = payload_for(audit)
    for hook in hooks:
        delivery, new = OutgoingDelivery.objects.get_or_create(webhook=hook, audit=audit, defaults={"payload": payload})
        if new:
            created.append(delivery)
            transaction.on_commit(lambda pk=delivery.pk: deliver_gate_webhook.delay(pk))
    return created


def post(delivery: OutgoingDelivery) -> int:
    """POST the signed payload through the outbound guard (auditor.net): the address is checked
    when the connection opens, and a redirect is an answer, never followed. Returns the HTTP
    status; raises gitops.RemoteError for a refused destination and httpx.HTTPError when the
    request fails."""
    hook = delivery.webhook
    validate_outgoing_url(hook.url)
    body = json.dumps(formats.render(hook.format, delivery.payload), sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Auditor-Event": "audit.gate",
        "X-Auditor-Delivery": str(delivery.pk),
        "X-Auditor-Signature-256": sign(hook.get_secret(), body),
    }
    try:
        with net.client(allow_private=gitops.allow_local(), timeout=TIMEOUT_SECONDS) as client:
            return client.post(hook.url, content=body, headers=headers).status_code
    except net.OutboundError as error:
        raise gitops.RemoteError(error.kind, error.message) from None
