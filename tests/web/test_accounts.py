"""Sign-up, login by email (no username), logout and password reset through allauth."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_it_signs_up_with_an_email_address(client):
    response = client.post(
        reverse("account_signup"), {"email": "grace@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "grace@example.com"
    assert not hasattr(user, "username") or user.username is None


def test_it_logs_in_by_email_and_logs_out(client):
    UserFactory(email="ada@example.com")
    response = client.post(reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("team_list")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("team_list")).status_code == 302


def test_it_refuses_a_wrong_password(client):
    UserFactory(email="ada@example.com")
    response = client.post(reverse("account_login"), {"login": "ada@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_resets_a_forgotten_password(client):
    UserFactory(email="ada@example.com")
    client.post(reverse("account_reset_password"), {"email": "ada@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"password1": "a new long passphrase", "password2": "a new long passphrase"})
    assert response.status_code == 302
    assert client.login(email="ada@example.com", password="a new long passphrase")


def test_it_offers_github_login_only_when_configured(client, settings):
    response = client.get(reverse("account_login"))
    assert b"GitHub" not in response.content
    assert "allauth.socialaccount.providers.github" not in settings.INSTALLED_APPS


def test_it_shows_the_sites_lock_out_page_with_how_long_it_lasts(client, personas, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    url = reverse("account_login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(url, {"login": personas.member.email, "password": "wrong"}).status_code == 200
    locked = client.post(url, {"login": personas.member.email, "password": "wrong"})
    body = locked.content.decode()
    assert locked.status_code == 429
    assert "<!DOCTYPE html>" in body and "Too many failed sign-ins" in body
    assert "locked for 15 minutes" in body and "5 wrong passwords" in body
    client.post(url, {"login": personas.member.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session  # still locked, even with the right password


def test_it_names_the_site_not_the_host_in_emails(client, settings, personas):
    from datetime import UTC, datetime

    from notifications.digest import Digest
    from notifications.mail import render_digest
    from notifications.models import DigestSubscription

    settings.SITE_NAME = "Acme Audits"
    UserFactory(email="ada@example.com")
    host = {"HTTP_HOST": "127.0.0.1:8000", "SERVER_PORT": "8000"}
    client.post(reverse("account_reset_password"), {"email": "ada@example.com"}, **host)
    client.post(reverse("account_signup"),
                {"email": "grace@example.com", "password1": PASSWORD, "password2": PASSWORD}, **host)
    client.force_login(personas.admin)
    client.post(reverse("team_invite", args=[personas.team.pk]), {"email": "new@example.com", "role": "viewer"},
                **host)
    subscription = DigestSubscription.objects.create(user=personas.member, team=personas.team)
    when = datetime(2026, 1, 1, tzinfo=UTC)
    digest = render_digest(Digest(subscription, when, when, sections=[], quiet=[]))
    reset, confirm, invitation = mail.outbox
    assert reset.subject.startswith("[Acme Audits] ") and confirm.subject.startswith("[Acme Audits] ")
    assert invitation.subject.endswith(" on Acme Audits") and digest.subject.endswith(" · Acme Audits")
    for message in (reset, confirm, invitation, digest):
        assert "127.0.0.1" not in message.subject and "testserver" not in message.subject
        assert "Convex Auditor" not in message.subject
    assert "Acme Audits" in reset.body
