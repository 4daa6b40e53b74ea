"""Connect GitHub: the install page, the setup callback checked against the user's own GitHub
token (GET /user/installations), and the repository picker; all against Prism."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.urls import reverse

from githubapp.models import GitHubRepository, Installation
from projects.models import Audit, Repository
from tests.automation import eager_celery
from tests.githubapp.conftest import (
    FIRST_OF_TWO_PAGES,
    INSTALLATIONS,
    REPOSITORIES,
    SECOND_PAGE,
    on_page,
    openapi_example,
    private_key_pem,
)
from tests.githubapp.helpers import USER_TOKEN, github_remote, sign_in_with_github

pytestmark = pytest.mark.django_db


def visible_installation_id() -> int:
    return openapi_example("/user/installations")["installations"][0]["id"]


def start_connect(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("githubapp:connect"))
    assert response.status_code == 302
    assert response["Location"].startswith("https://github.com/apps/convex-auditor-test/installations/new?state=")
    return response["Location"].split("state=", 1)[1]


def test_it_hides_github_when_the_app_is_not_configured(client, personas, settings):
    settings.GITHUB_APP_ID = ""
    client.force_login(personas.owner)
    page = client.get(reverse("repository_add")).content.decode()
    assert "Connect GitHub" not in page
    assert client.get(reverse("githubapp:installations")).status_code == 404
    assert client.post(reverse("githubapp:connect")).status_code == 404


def test_it_offers_connect_github_when_configured(client, personas, github_app):
    client.force_login(personas.owner)
    page = client.get(reverse("repository_add")).content.decode()
    assert "Connect GitHub" in page and reverse("githubapp:connect") in page


def test_it_lets_only_admins_start_an_install(client, personas, github_app):
    for name, status in {"member": 403, "viewer": 403, "admin": 302}.items():
        client.force_login(personas.get(name))
        assert client.post(reverse("githubapp:connect")).status_code == status, name


def test_it_binds_an_installation_the_user_can_see(client, personas, github_app, github_requests):
    sign_in_with_github(personas.admin)
    state = start_connect(client, personas.admin)
    installation_id = visible_installation_id()
    response = client.get(reverse("githubapp:setup"), {"installation_id": installation_id, "state": state,
                                                       "setup_action": "install"})
    installation = Installation.objects.get(installation_id=installation_id)
    assert response.status_code == 302 and response["Location"] == reverse("githubapp:repositories",
                                                                           args=[installation.pk])
    assert installation.team == personas.team and installation.bound_by == personas.admin
    asked = [r for r in github_requests if r.path == "/user/installations"]
    assert asked and asked[0].headers["authorization"].endswith(USER_TOKEN)


def test_it_refuses_an_installation_the_user_cannot_see(client, personas, github_app, github_requests):
    sign_in_with_github(personas.admin)
    state = start_connect(client, personas.admin)
    unseen = max(i["id"] for i in openapi_example("/user/installations")["installations"]) + 1000
    response = client.get(reverse("githubapp:setup"), {"installation_id": unseen, "state": state})
    assert response.status_code == 403 and b"cannot see that installation" in response.content
    assert not Installation.objects.exists()


def test_it_asks_for_a_github_sign_in_before_binding(client, personas, github_app):
    state = start_connect(client, personas.admin)
    response = client.get(reverse("githubapp:setup"), {"installation_id": visible_installation_id(), "state": state})
    assert response.status_code == 403 and b"Connect your GitHub sign-in first" in response.content
    assert not Installation.objects.exists()


def test_it_refuses_a_foreign_state(client, personas, github_app):
    sign_in_with_github(personas.admin)
    start_connect(client, personas.admin)
    response = client.get(reverse("githubapp:setup"), {"installation_id": visible_installation_id(), "state": "x"})
    assert response.status_code == 400 and not Installation.objects.exists()


def test_it_hides_another_teams_installation(client, personas, github_app):
    installation = Installation.objects.create(installation_id=5, team=personas.other_team, account_login="globex")
    client.force_login(personas.owner)
    assert client.get(reverse("githubapp:repositories", args=[installation.pk])).status_code == 404


def test_it_lists_searches_and_connects_repositories(client, personas, github_app, github_requests,
                                                    allow_local_repos, tmp_path, monkeypatch,
                                                    django_capture_on_commit_callbacks):
    listed = openapi_example("/installation/repositories")["repositories"][0]
    git_root = tmp_path / "git"
    github_app.GITHUB_GIT_URL = str(git_root)
    github_remote(git_root, listed["full_name"], listed["default_branch"])
    installation = Installation.objects.create(installation_id=visible_installation_id(), team=personas.team,
                                               account_login="octocat")
    url = reverse("githubapp:repositories", args=[installation.pk])
    client.force_login(personas.admin)
    page = client.get(url).content.decode()
    assert listed["full_name"] in page and f'value="{listed["id"]}"' in page
    assert listed["full_name"] in client.get(url, {"q": listed["name"].upper()}).content.decode()
    assert "No repository matches" in client.get(url, {"q": "zz-no-such-repository"}).content.decode()

    from projects import gitops

    seen: list[tuple[list[str], dict[str, str]]] = []
    real_popen = gitops.subprocess.Popen

    def watched_popen(command, *args, **kwargs):
        seen.append((list(command), dict(kwargs.get("env") or {})))
        return real_popen(command, *args, **kwargs)

    monkeypatch.setattr(gitops.subprocess, "Popen", watched_popen)
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"repository": [str(listed["id"])]})
    monkeypatch.undo()
    assert response.status_code == 302
    link = GitHubRepository.objects.select_related("repository").get()
    repository = link.repository
    assert (link.github_id, link.full_name, repository.branch) == (listed["id"], listed["full_name"],
                                                                   listed["default_branch"])
    assert repository.team == personas.team and repository.convex_dir == "" and not repository.has_token
    audit = Audit.objects.get(repository=repository)
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert audit.stats.get("convex_dir", "convex") == "convex"

    # The clone used an installation token minted with the App's JWT, and kept none of it.
    tokens_path = f"/app/installations/{installation.installation_id}/access_tokens"
    minted = [r for r in github_requests if r.path == tokens_path]
    assert minted and minted[-1].method == "POST" and minted[-1].body["repository_ids"] == [listed["id"]]
    public_key = serialization.load_pem_private_key(private_key_pem().encode(), None).public_key()
    claims = jwt.decode(minted[-1].headers["authorization"].split(" ", 1)[1], public_key, algorithms=["RS256"])
    assert str(claims["iss"]) == github_app.GITHUB_APP_ID
    token = openapi_example("/app/installations/{installation_id}/access_tokens", "post", "201")["token"]
    from io import StringIO

    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    assert token not in dump.getvalue()
    # git got it from the credential helper's environment: never in an argument or a URL.
    fetches = [(command, env) for command, env in seen if "fetch" in command]
    assert fetches and all(env.get("AUDITOR_GIT_TOKEN") == token for _, env in fetches)
    assert not any(token in part for command, _ in seen for part in command)

    # Ticking it again connects nothing twice.
    response = client.post(url, {"repository": [str(listed["id"])]})
    assert Repository.objects.count() == 1 and GitHubRepository.objects.count() == 1


def test_it_lets_only_admins_pick_repositories(client, personas, github_app):
    installation = Installation.objects.create(installation_id=visible_installation_id(), team=personas.team)
    for name in ("member", "viewer"):
        client.force_login(personas.get(name))
        assert client.get(reverse("githubapp:repositories", args=[installation.pk])).status_code == 403


def test_it_explains_an_installation_waiting_for_approval(client, personas, github_app):
    state = start_connect(client, personas.admin)
    response = client.get(reverse("githubapp:setup"), {"setup_action": "request", "state": state})
    assert response.status_code == 202 and b"waiting for an owner" in response.content


def test_it_finds_an_installation_on_the_second_page_of_the_users_list(client, personas, github_app, github_requests,
                                                                        prism_prefers):
    prism_prefers("GET", INSTALLATIONS, f"example={SECOND_PAGE}", when=on_page(2))
    later = openapi_example(INSTALLATIONS, example=SECOND_PAGE)["installations"][0]
    first_page = {i["id"] for i in openapi_example(INSTALLATIONS)["installations"]}
    assert later["id"] not in first_page
    sign_in_with_github(personas.admin)
    state = start_connect(client, personas.admin)
    response = client.get(reverse("githubapp:setup"), {"installation_id": later["id"], "state": state})
    assert response.status_code == 302, response.content
    installation = Installation.objects.get(installation_id=later["id"])
    assert installation.team == personas.team and installation.account_login == later["account"]["login"]
    asked = [r.query.get("page") for r in github_requests if r.path == INSTALLATIONS]
    assert asked == ["1", "2"]


def test_it_pages_through_the_installations_repositories(client, personas, github_app, github_requests,
                                                         prism_prefers):
    prism_prefers("GET", REPOSITORIES, f"example={FIRST_OF_TWO_PAGES}", when=on_page(1))
    prism_prefers("GET", REPOSITORIES, f"example={SECOND_PAGE}", when=on_page(2))
    first_page = openapi_example(REPOSITORIES, example=FIRST_OF_TWO_PAGES)["repositories"]
    later = openapi_example(REPOSITORIES, example=SECOND_PAGE)["repositories"][0]
    installation = Installation.objects.create(installation_id=visible_installation_id(), team=personas.team,
                                               account_login="octocat")
    url = reverse("githubapp:repositories", args=[installation.pk])
    client.force_login(personas.admin)

    # The picker shows GitHub's pages: the first, then the second.
    page = client.get(url).content.decode()
    assert all(f'value="{repo["id"]}"' in page for repo in first_page)
    assert f'value="{later["id"]}"' not in page and "page=2" in page
    page = client.get(url, {"page": 2}).content.decode()
    assert f'value="{later["id"]}"' in page and f'value="{first_page[0]["id"]}"' not in page
    asked = [(r.query["page"], r.query["per_page"]) for r in github_requests if r.path == REPOSITORIES]
    assert asked[-1] == ("2", "30")

    # A search reads every page, so a repository on the second page is found.
    github_requests.clear()
    page = client.get(url, {"q": later["name"]}).content.decode()
    assert f'value="{later["id"]}"' in page
    assert [r.query["page"] for r in github_requests if r.path == REPOSITORIES] == ["1", "2"]

    # Ticking one from each page connects both.
    response = client.post(url, {"repository": [str(first_page[0]["id"]), str(later["id"])]})
    assert response.status_code == 302
    assert set(GitHubRepository.objects.values_list("github_id", flat=True)) == {first_page[0]["id"], later["id"]}


def test_it_stops_paging_where_githubs_link_header_has_no_next_page():
    from githubapp import client as github

    link = '<https://api.github.com/installation/repositories?per_page=100&page=3>; rel="next", ' \
           '<https://api.github.com/installation/repositories?per_page=100&page=5>; rel="last"'
    assert github.next_page(link) == 3
    last = '<https://api.github.com/installation/repositories?per_page=100&page=4>; rel="prev", ' \
           '<https://api.github.com/installation/repositories?per_page=100&page=1>; rel="first"'
    assert github.next_page(last) is None and github.next_page(None) is None
