"""Invitations: one pending invitation per address, a signed-out link that says what it is, and
the invitation resumed after signing up or in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from teams.models import Invitation, Membership
from tests.factories import PASSWORD, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(client, personas, email: str, role: str):
    client.force_login(personas.admin)
    return client.post(reverse("team_invite", args=[personas.team.pk]), {"email": email, "role": role}, follow=True)


def test_it_refuses_a_second_pending_invitation_for_the_same_address(client, personas):
    invite(client, personas, "new@example.com", "viewer")
    response = invite(client, personas, "New@Example.com", "admin")
    assert "already has a pending invitation" in response.content.decode()
    assert list(Invitation.objects.values_list("email", "role")) == [("new@example.com", "viewer")]
    assert len(mail.outbox) == 1


def test_it_says_what_a_signed_out_invitation_link_is(client, personas):
    invitation = InvitationFactory(team=personas.team, email="fresh@example.com", role="admin",
                                   invited_by=personas.owner)
    response = client.get(reverse("team_invite_accept", args=[invitation.make_token()]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "invited to join Acme" in body and "fresh@example.com" in body and "admin" in body
    assert "owner@acme.test" in body and "Create an account to accept" in body
    assert not Membership.objects.filter(user__email="fresh@example.com").exists()


def test_it_resumes_the_invitation_after_signing_up(client, personas):
    invitation = InvitationFactory(team=personas.team, email="fresh@example.com", role="viewer")
    link = reverse("team_invite_accept", args=[invitation.make_token()])
    client.get(link)
    response = client.post(reverse("account_signup"), {
        "email": "fresh@example.com", "password1": PASSWORD, "password2": PASSWORD,
    })
    assert response.status_code == 302 and response["Location"] == link
    page = client.get(link)
    assert page.status_code == 200 and "Join Acme" in page.content.decode()
    client.post(link)
    membership = Membership.objects.get(user__email="fresh@example.com")
    assert (membership.team, membership.role) == (personas.team, "viewer")


def test_it_resumes_the_invitation_after_signing_in(client, personas):
    user = UserFactory(email="known@example.com")
    invitation = InvitationFactory(team=personas.team, email=user.email, role="member")
    link = reverse("team_invite_accept", args=[invitation.make_token()])
    body = client.get(link).content.decode()
    assert "Sign in to accept" in body
    login = re.search(r'href="([^"]*/accounts/login/[^"]*)"', body).group(1).replace("&amp;", "&")
    response = client.post(login, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == link
    client.post(link)
    assert Membership.objects.get(user=user).role == "member"
