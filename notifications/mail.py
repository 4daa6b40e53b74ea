"""Render a digest from the subject/text/HTML template triple and send it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.digest import Digest
from notifications.models import DigestSubscription

log = logging.getLogger(__name__)


def unsubscribe_url(subscription: DigestSubscription) -> str:
    return settings.SITE_URL + reverse("digest_unsubscribe", args=[subscription.unsubscribe_token()])


def render_digest(digest: Digest) -> EmailMultiAlternatives:
    subscription = digest.subscription
    context = {
        "digest": digest,
        "subscription": subscription,
        "team": subscription.team,
        "unsubscribe_url": unsubscribe_url(subscription),
        "preferences_url": settings.SITE_URL + reverse("digest_preferences"),
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
    }
    subject = " ".join(render_to_string("emails/digest_subject.txt", context).split())[:250]
    text = render_to_string("emails/digest.txt", context)
    html = render_to_string("emails/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.user.email],
        headers={
            # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL.
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Precedence": "bulk",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def send(message: EmailMultiAlternatives) -> None:
    """Send one message; raises only if the server did not accept it.

    The connection is opened here so that a failure while closing it (QUIT timing out on a
    slow server) cannot turn an accepted message into a retry, which would send it twice.
    """
    connection = get_connection(fail_silently=False, timeout=30)
    connection.open()
    try:
        connection.send_messages([message])
    finally:
        try:
            connection.close()
        except Exception:  # the message was accepted (or the error above is the one that matters)
            log.warning("closing the mail connection failed", exc_info=True)
