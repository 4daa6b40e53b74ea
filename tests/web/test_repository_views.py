"""Each persona on each repository view: outsiders get 404, roles below the action 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import Audit, Repository
from tests.conftest import PERSONAS
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


def expect(persona: str, allowed: set[str], ok: int = 200) -> int:
    if persona == "outsider":
        return 404
    return ok if persona in allowed else 403


@pytest.fixture
def repo(personas):
    return RepositoryFactory(team=personas.team, name="acme/chat")


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_repository_settings(client, personas, repo, persona):
    client.force_login(personas.get(persona))
    response = client.get(reverse("repository_settings", args=[repo.pk]))
    assert response.status_code == expect(persona, {"owner", "admin"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_repository_delete(client, personas, repo, persona):
    client.force_login(personas.get(persona))
    response = client.post(reverse("repository_delete", args=[repo.pk]))
    assert response.status_code == expect(persona, {"owner", "admin"}, ok=302)
    assert Repository.objects.filter(pk=repo.pk).exists() == (response.status_code != 302)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_guards_adding_a_repository(client, personas, persona):
    client.force_login(personas.get(persona))
    response = client.get(reverse("repository_add"))
    # The outsider adds to their own team (Globex), where they are the owner.
    assert response.status_code == (200 if persona in {"owner", "admin", "outsider"} else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_lists_only_the_current_teams_repositories(client, personas, repo, persona):
    RepositoryFactory(team=personas.other_team, name="globex/secret")
    client.force_login(personas.get(persona))
    response = client.get(reverse("index"), follow=True)
    assert response.redirect_chain == [(reverse("reports:projects"), 302)]
    body = response.content.decode()
    assert ("acme/chat" in body) == (persona != "outsider")
    assert ("globex/secret" in body) == (persona == "outsider")
    assert ("Run audit" in body) == (persona in {"owner", "admin", "member", "outsider"})


def test_it_sends_anonymous_users_to_the_login_page(client, repo):
    for url in (reverse("index"), reverse("repository_settings", args=[repo.pk]), reverse("repository_add")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_it_connects_a_repository_and_queues_its_first_audit(
    client, personas, local_remote, allow_local_repos, django_capture_on_commit_callbacks
):
    client.force_login(personas.admin)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("repository_add"), {"url": local_remote.url, "token": "tok_123"})
    assert response.status_code == 302
    repository = Repository.objects.get(team=personas.team)
    assert repository.branch == "main" and repository.created_by == personas.admin
    assert repository.audits.get().state == Audit.State.QUEUED
    assert len(callbacks) == 1
    settings_page = client.get(reverse("repository_settings", args=[repository.pk])).content.decode()
    assert "tok_123" not in settings_page and "A token is stored" in settings_page


def test_it_shows_form_errors_on_the_page(client, personas, settings):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    client.force_login(personas.owner)
    response = client.post(reverse("repository_add"), {"url": "file:///etc"})
    assert response.status_code == 200
    assert "file:// remotes are only allowed when AUDITOR_ALLOW_LOCAL_REPOS is on." in response.content.decode()
    assert not Repository.objects.exists()


def test_it_lists_repositories_in_the_admin_without_their_token(client, repo):
    from tests.factories import UserFactory

    repo.set_token("ghp_admin_should_not_see")
    repo.save()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in ("/admin/projects/repository/", f"/admin/projects/repository/{repo.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert b"ghp_admin_should_not_see" not in response.content
        assert repo.token_encrypted.encode() not in response.content
