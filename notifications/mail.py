"""Render a digest from the subject/text/HTML template triple and send it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.digest import Digest
from notifications.models import DigestSubscription


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
    connection = get_connection(fail_silently=False, timeout=30)
    message.connection = connection
    message.send()
