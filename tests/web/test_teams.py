"""Teams: roles, members, invitations by signed link, switching the current team."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.urls import reverse

from teams.access import SESSION_KEY
from teams.models import Invitation, Membership, Role
from tests.conftest import PERSONAS
from tests.factories import InvitationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def expect(persona: str, allowed: set[str], ok: int) -> int:
    if persona == "outsider":
        return 404
    return ok if persona in allowed else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_the_members_page(client, personas, persona):
    client.force_login(personas.get(persona))
    response = client.get(reverse("team_members", args=[personas.team.pk]))
    assert response.status_code == (404 if persona == "outsider" else 200)
    if response.status_code == 200:
        assert ("Invite someone" in response.content.decode()) == (persona in {"owner", "admin"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_inviting(client, personas, persona):
    client.force_login(personas.get(persona))
    response = client.post(
        reverse("team_invite", args=[personas.team.pk]), {"email": "New@Example.com", "role": "member"}
    )
    assert response.status_code == expect(persona, {"owner", "admin"}, 302)
    assert len(mail.outbox) == (1 if response.status_code == 302 else 0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_changing_roles(client, personas, persona):
    target = Membership.objects.get(team=personas.team, user=personas.viewer)
    client.force_login(personas.get(persona))
    response = client.post(reverse("team_member_role", args=[personas.team.pk, target.pk]), {"role": "member"})
    assert response.status_code == expect(persona, {"owner", "admin"}, 302)
    target.refresh_from_db()
    assert (target.role == Role.MEMBER) == (response.status_code == 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_removing_members(client, personas, persona):
    target = Membership.objects.get(team=personas.team, user=personas.viewer)
    client.force_login(personas.get(persona))
    response = client.post(reverse("team_member_remove", args=[personas.team.pk, target.pk]))
    assert response.status_code == expect(persona, {"owner", "admin"}, 302)
    assert Membership.objects.filter(pk=target.pk).exists() == (response.status_code != 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_revoking_invitations(client, personas, persona):
    invitation = InvitationFactory(team=personas.team)
    client.force_login(personas.get(persona))
    response = client.post(reverse("team_invite_revoke", args=[personas.team.pk, invitation.pk]))
    assert response.status_code == expect(persona, {"owner", "admin"}, 302)


def test_it_lets_only_owners_touch_owners(client, personas):
    owner = Membership.objects.get(team=personas.team, user=personas.owner)
    client.force_login(personas.admin)
    assert (
        client.post(reverse("team_member_role", args=[personas.team.pk, owner.pk]), {"role": "viewer"}).status_code
        == 403
    )
    assert client.post(reverse("team_member_remove", args=[personas.team.pk, owner.pk])).status_code == 403
    member = Membership.objects.get(team=personas.team, user=personas.member)
    assert (
        client.post(reverse("team_member_role", args=[personas.team.pk, member.pk]), {"role": "owner"}).status_code
        == 403
    )
    client.force_login(personas.owner)
    response = client.post(reverse("team_member_role", args=[personas.team.pk, member.pk]), {"role": "owner"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.OWNER


def test_it_keeps_at_least_one_owner(client, personas):
    owner = Membership.objects.get(team=personas.team, user=personas.owner)
    client.force_login(personas.owner)
    client.post(reverse("team_member_role", args=[personas.team.pk, owner.pk]), {"role": "admin"})
    client.post(reverse("team_member_remove", args=[personas.team.pk, owner.pk]))
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_it_invites_by_a_signed_link_that_joins_the_team(client, personas):
    client.force_login(personas.admin)
    client.post(reverse("team_invite", args=[personas.team.pk]), {"email": "new@example.com", "role": "viewer"})
    link = re.search(r"http://\S+/teams/invitation/\S+/", mail.outbox[0].body).group(0)
    newcomer = UserFactory(email="new@example.com")
    client.force_login(newcomer)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert Membership.objects.get(team=personas.team, user=newcomer).role == Role.VIEWER
    assert client.session[SESSION_KEY] == personas.team.pk
    # Used once only.
    assert client.post(link).status_code == 400
    assert Membership.objects.filter(team=personas.team, user=newcomer).count() == 1


def test_it_refuses_an_invitation_for_someone_else(client, personas):
    invitation = InvitationFactory(team=personas.team, email="someone@example.com")
    client.force_login(personas.outsider)
    response = client.post(reverse("team_invite_accept", args=[invitation.make_token()]))
    assert response.status_code == 403
    assert not Membership.objects.filter(team=personas.team, user=personas.outsider).exists()


def test_it_refuses_a_tampered_invitation(client, personas):
    invitation = InvitationFactory(team=personas.team, email=personas.outsider.email)
    client.force_login(personas.outsider)
    token = invitation.make_token()
    response = client.post(reverse("team_invite_accept", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    forged = signing.dumps({"id": invitation.pk, "email": invitation.email}, salt="another-salt")
    assert client.post(reverse("team_invite_accept", args=[forged])).status_code == 400


def test_it_refuses_an_expired_invitation(client, personas, settings):
    invitation = InvitationFactory(team=personas.team, email=personas.outsider.email)
    settings.AUDITOR_INVITE_MAX_AGE = -1
    client.force_login(personas.outsider)
    response = client.post(reverse("team_invite_accept", args=[invitation.make_token()]))
    assert response.status_code == 400
    assert b"expired" in response.content


def test_it_asks_anonymous_invitees_to_log_in_first(client, personas):
    invitation = InvitationFactory(team=personas.team)
    url = reverse("team_invite_accept", args=[invitation.make_token()])
    response = client.get(url)
    assert response.status_code == 200 and reverse("account_login") in response.content.decode()
    assert client.post(url).status_code == 200  # the same page: signed out, nobody joins
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_it_switches_the_current_team(client, personas):
    MembershipFactory(team=personas.other_team, user=personas.member, role=Role.VIEWER)
    client.force_login(personas.member)
    client.get(reverse("index"))
    assert client.session[SESSION_KEY] == personas.team.pk
    response = client.post(reverse("team_switch"), {"team": personas.other_team.pk})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == personas.other_team.pk


def test_it_will_not_switch_to_someone_elses_team(client, personas):
    client.force_login(personas.outsider)
    assert client.post(reverse("team_switch"), {"team": personas.team.pk}).status_code == 404
    assert client.post(reverse("team_switch"), {"team": "x"}).status_code == 404


def test_it_creates_a_team_with_the_creator_as_owner(client, db):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("team_list"), {"name": "Initech"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert membership.team.name == "Initech" and membership.role == Role.OWNER
    assert client.session[SESSION_KEY] == membership.team_id


def test_it_rejects_inviting_an_existing_member(client, personas):
    client.force_login(personas.owner)
    client.post(reverse("team_invite", args=[personas.team.pk]), {"email": personas.viewer.email, "role": "member"})
    assert not Invitation.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_owners_rename_the_team(client, personas, persona):
    client.force_login(personas.get(persona))
    response = client.post(reverse("team_rename", args=[personas.team.pk]), {"name": "Acme Corp"})
    assert response.status_code == expect(persona, {"owner"}, 302)
    personas.team.refresh_from_db()
    assert (personas.team.name == "Acme Corp") == (persona == "owner")


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lets_only_owners_delete_the_team(client, personas, persona):
    from teams.models import Team

    client.force_login(personas.get(persona))
    response = client.post(reverse("team_delete", args=[personas.team.pk]), {"confirm": "Acme"})
    assert response.status_code == expect(persona, {"owner"}, 302)
    assert Team.objects.filter(pk=personas.team.pk).exists() == (persona != "owner")


def test_it_deletes_a_team_only_when_its_name_is_typed(client, personas):
    client.force_login(personas.owner)
    client.post(reverse("team_delete", args=[personas.team.pk]), {"confirm": "acme"})
    assert Membership.objects.filter(team=personas.team).exists()
