from __future__ import annotations

import json
import logging

from cryptography.fernet import InvalidToken
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from projects import gitops, pipeline
from projects.access import get_repository_for_user
from projects.models import Audit
from teams.models import Role
from webhooks import services
from webhooks.models import GitHubDelivery, GitHubWebhook, OutgoingWebhook, new_secret

log = logging.getLogger(__name__)

ZERO_SHA = "0" * 40


@csrf_exempt
@require_POST
def github_webhook(request: HttpRequest, key: str) -> HttpResponse:
    """GitHub → us. Verifies the signature, records the delivery, queues an audit for a push."""
    hook = GitHubWebhook.objects.select_related("repository").filter(key=key).first()
    if hook is None:
        raise Http404("No such webhook")
    body = services.read_github_body(request)
    if body is None:
        return JsonResponse({"status": "too large"}, status=413)
    event = request.headers.get("X-GitHub-Event", "")[:50]
    delivery_id = request.headers.get("X-GitHub-Delivery", "")[:100]
    try:
        secret = hook.get_secret()
    except InvalidToken:  # the key that encrypted it is gone: nothing can be verified
        log.error("webhook %s: its secret cannot be decrypted with AUDITOR_TOKEN_KEY", hook.pk)
        secret = None
    if secret is None or not services.signature_valid(secret, body, request.headers.get("X-Hub-Signature-256")):
        GitHubDelivery.objects.create(
            hook=hook, delivery_id=delivery_id, event=event, status=GitHubDelivery.Status.BAD_SIGNATURE
        )
        log.warning("webhook %s: bad signature on delivery %r", hook.pk, delivery_id)
        return JsonResponse({"status": "bad signature"}, status=403)
    if not delivery_id or not event:
        return JsonResponse({"status": "missing X-GitHub-Event or X-GitHub-Delivery"}, status=400)

    repository = hook.repository
    try:
        with transaction.atomic():
            delivery = GitHubDelivery.objects.create(
                hook=hook, delivery_id=delivery_id, event=event, status=GitHubDelivery.Status.IGNORED
            )
            if event == "ping":
                delivery.status = GitHubDelivery.Status.PONG
                delivery.save(update_fields=["status"])
                return JsonResponse({"status": "pong"})
            if event != "push":
                delivery.detail = f"{event} events are not used"
                delivery.save(update_fields=["detail"])
                return JsonResponse({"status": "ignored", "reason": delivery.detail}, status=202)
            try:
                payload = json.loads(body)
            except ValueError:
                delivery.detail = "body is not JSON"
                delivery.save(update_fields=["detail"])
                return JsonResponse({"status": "ignored", "reason": delivery.detail}, status=400)
            ref, sha = str(payload.get("ref") or ""), str(payload.get("after") or "")
            if ref != f"refs/heads/{repository.branch}":
                delivery.detail = f"{ref} is not the tracked branch {repository.branch}"[:300]
            elif sha == ZERO_SHA or payload.get("deleted"):
                delivery.detail = "the branch was deleted"
            elif len(sha) != 40 or any(c not in "0123456789abcdef" for c in sha):
                delivery.detail = "no commit in the push"
            else:
                # The task is sent by transaction.on_commit: never inline, never for a rolled-back row.
                audit = pipeline.queue_audit(repository, Audit.Trigger.WEBHOOK, sha=sha)
                delivery.status = GitHubDelivery.Status.QUEUED
                delivery.audit = audit
                delivery.detail = f"audit of {sha[:7]}"
            delivery.save(update_fields=["status", "audit", "detail"])
    except IntegrityError:
        return JsonResponse({"status": "duplicate", "delivery": delivery_id})
    if delivery.status == GitHubDelivery.Status.QUEUED:
        return JsonResponse({"status": "queued", "audit": delivery.audit_id}, status=202)
    return JsonResponse({"status": "ignored", "reason": delivery.detail}, status=202)


def _settings_context(request: HttpRequest, repository) -> dict:
    # Made by the page's button (a POST): reading the page never writes.
    hook = GitHubWebhook.objects.filter(repository=repository).first()
    return {
        "repository": repository,
        "hook": hook,
        "hook_url": request.build_absolute_uri(services.github_webhook_path(hook)) if hook else "",
        "secret": hook.get_secret() if hook else "",
        "deliveries": hook.deliveries.select_related("audit")[:20] if hook else [],
        "outgoing": repository.outgoing_webhooks.all(),
        "formats": OutgoingWebhook.Format.choices,
        "outgoing_deliveries": services.OutgoingDelivery.objects.filter(webhook__repository=repository)
        .select_related("webhook")[:20],
        "section": "webhooks",
    }


@login_required
def webhook_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Admins: the GitHub webhook's URL, secret and set-up steps; outgoing gate webhooks."""
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    return render(request, "webhooks/settings.html", _settings_context(request, repository))


@login_required
@require_POST
def github_webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    existed = GitHubWebhook.objects.filter(repository=repository).exists()
    hook = services.github_webhook_for(repository)
    if existed:
        hook.set_secret(new_secret())
        hook.save(update_fields=["secret_encrypted"])
        messages.success(request, "New webhook secret: update it in GitHub's webhook settings.")
    else:
        messages.success(request, "Webhook URL and secret made: add them in GitHub's webhook settings.")
    return redirect("webhook_settings", repository.pk)


@login_required
@require_POST
def outgoing_add(request: HttpRequest, pk: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    url = (request.POST.get("url") or "").strip()
    secret = (request.POST.get("secret") or "").strip() or new_secret()
    try:
        if len(url) > 500:
            raise gitops.RemoteError(gitops.RemoteError.MALFORMED, "The URL is too long.")
        services.validate_outgoing_url(url)
    except gitops.RemoteError as error:
        context = _settings_context(request, repository)
        context["outgoing_error"] = error.message
        context["outgoing_url"] = url
        return render(request, "webhooks/settings.html", context, status=400)
    chosen = request.POST.get("format") or OutgoingWebhook.Format.JSON
    if chosen not in OutgoingWebhook.Format.values:
        context = _settings_context(request, repository)
        context["outgoing_error"] = f"Choose a format: {', '.join(OutgoingWebhook.Format.values)}."
        context["outgoing_url"] = url
        return render(request, "webhooks/settings.html", context, status=400)
    hook = OutgoingWebhook(repository=repository, url=url, format=chosen)
    hook.set_secret(secret)
    hook.save()
    messages.success(request, f"Gate results will be posted to {url}. Its secret: {secret}")
    return redirect("webhook_settings", repository.pk)


@login_required
@require_POST
def outgoing_delete(request: HttpRequest, pk: int, hook_id: int) -> HttpResponse:
    repository = get_repository_for_user(request, pk, Role.ADMIN)
    get_object_or_404(repository.outgoing_webhooks, pk=hook_id).delete()  # type: ignore[attr-defined]
    messages.success(request, "Outgoing webhook removed.")
    return redirect("webhook_settings", repository.pk)
