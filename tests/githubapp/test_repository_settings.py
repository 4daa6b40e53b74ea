"""Per repository: the pull request comment and the SARIF upload, for admins only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from githubapp.models import GitHubRepository, Installation
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(personas) -> GitHubRepository:
    installation = Installation.objects.create(installation_id=9, team=personas.team, account_login="acme")
    return GitHubRepository.objects.create(
        repository=RepositoryFactory(team=personas.team, name="acme/chat"), installation=installation,
        github_id=99, full_name="acme/chat",
    )


def test_it_lets_admins_turn_the_comment_off_and_sarif_on(client, personas, github_app, link):
    url = reverse("githubapp:repository_settings", args=[link.repository_id])
    expected = {"member": 403, "viewer": 403, "outsider": 404, "admin": 302}
    for name, status in expected.items():
        client.force_login(personas.get(name))
        assert client.post(url, {"sarif_upload": "on"}).status_code == status, name
    link.refresh_from_db()
    assert (link.pull_request_comments, link.sarif_upload) == (False, True)


def test_it_shows_the_github_tab_only_with_the_app(client, personas, settings, github_app, link):
    client.force_login(personas.admin)
    gate_page = reverse("gate_settings", args=[link.repository_id])
    assert reverse("githubapp:repository_settings", args=[link.repository_id]) in client.get(gate_page).content.decode()
    settings.GITHUB_APP_ID = ""
    assert "/github/" not in client.get(gate_page).content.decode()
    assert client.get(reverse("githubapp:repository_settings", args=[link.repository_id])).status_code == 404


def test_it_explains_how_a_url_connected_repository_gets_checks(client, personas, github_app):
    repository = RepositoryFactory(team=personas.team)
    client.force_login(personas.admin)
    page = client.get(reverse("githubapp:repository_settings", args=[repository.pk])).content.decode()
    assert "connected by its URL" in page
    assert client.post(reverse("githubapp:repository_settings", args=[repository.pk]), {}).status_code == 404
