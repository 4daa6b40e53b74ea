"""allauth's account adapter: after signing in or up, an invitation opened while signed out is
resumed (teams.views.team_invite_accept kept its link in the session); emails name the site by
SITE_NAME, not by the host and port of the request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class Site:
    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def _pending_invitation(self, request: HttpRequest) -> str | None:
        from teams.views import PENDING_INVITATION

        token = request.session.get(PENDING_INVITATION)
        return reverse("team_invite_accept", args=[token]) if token else None

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return self._pending_invitation(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self._pending_invitation(request) or super().get_signup_redirect_url(request)

    def format_email_subject(self, subject: str) -> str:
        """allauth's subjects start "[SITE_NAME] ", read when the email is sent, not the host and port."""
        return f"[{settings.SITE_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        site = Site(settings.SITE_NAME, urlsplit(settings.SITE_URL).netloc)
        super().send_mail(template_prefix, email, {"current_site": site, **context})
