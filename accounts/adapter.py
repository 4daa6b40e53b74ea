"""allauth's account adapter: after signing in or up, an invitation opened while signed out is
resumed (teams.views.team_invite_accept kept its link in the session)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def _pending_invitation(self, request: HttpRequest) -> str | None:
        from teams.views import PENDING_INVITATION

        token = request.session.get(PENDING_INVITATION)
        return reverse("team_invite_accept", args=[token]) if token else None

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return self._pending_invitation(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        return self._pending_invitation(request) or super().get_signup_redirect_url(request)
