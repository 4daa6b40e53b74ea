"""Connecting a repository: every bad input gets a clear error on the right field."""

from __future__ import annotations

import base64
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from projects import gitops
from projects.forms import RepositoryForm, name_from_url
from projects.gitops import ParsedRemote, RemoteError, parse_remote_url, pin_args, run_git, scrub, validate_remote_url
from projects.models import Repository
from tests.factories import RepositoryFactory, TeamFactory

pytestmark = pytest.mark.django_db

TOKEN = "ghp_topsecret_0123456789abcdef"


def form_errors(team, **data) -> dict[str, list[str]]:
    form = RepositoryForm(data={"url": "", "branch": "", "token": "", "convex_dir": "", "name": "", **data}, team=team)
    assert not form.is_valid()
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("not a url", RemoteError.MALFORMED),
        ("github.com/acme/app", RemoteError.MALFORMED),
        ("https://", RemoteError.MALFORMED),
        ("https://github.com/", RemoteError.MALFORMED),
        ("https://user:pw@github.com/acme/app.git", RemoteError.MALFORMED),
        ("--upload-pack=touch /tmp/x", RemoteError.MALFORMED),
        ("ssh://-oProxyCommand=touch%20x/a/b.git", RemoteError.MALFORMED),
        ("git@-oProxyCommand:a/b.git", RemoteError.MALFORMED),
        ("-oProxyCommand@github.com:a/b.git", RemoteError.MALFORMED),
        ("ftp://example.com/app.git", RemoteError.FORBIDDEN),
        ("http://example.com/app.git", RemoteError.FORBIDDEN),
        ("file:///srv/git/app.git", RemoteError.FORBIDDEN),
        ("/srv/git/app.git", RemoteError.FORBIDDEN),
        ("../app.git", RemoteError.FORBIDDEN),
        ("ext::sh -c touch% /tmp/pwned", RemoteError.FORBIDDEN),
    ],
)
def test_it_rejects_bad_urls(url, kind, settings):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    with pytest.raises(RemoteError) as caught:
        parse_remote_url(url)
    assert caught.value.kind == kind


@pytest.mark.parametrize(
    "url",
    ["https://github.com/acme/app.git", "git@github.com:acme/app.git", "ssh://git@gitlab.com:2222/acme/app.git"],
)
def test_it_accepts_https_and_ssh_remotes(url, settings):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    assert parse_remote_url(url).url == url


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/a/b.git", "https://10.1.2.3/a/b.git", "git@169.254.169.254:a/b.git", "https://[::1]/a/b.git"],
)
def test_it_refuses_hosts_on_local_networks(url, settings):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    with pytest.raises(RemoteError) as caught:
        validate_remote_url(url)
    assert caught.value.kind == RemoteError.FORBIDDEN
    assert "AUDITOR_ALLOW_LOCAL_REPOS" in caught.value.message


def test_it_refuses_ext_even_when_local_repos_are_allowed(allow_local_repos):
    with pytest.raises(RemoteError) as caught:
        parse_remote_url("ext::sh -c touch% /tmp/pwned")
    assert caught.value.kind == RemoteError.FORBIDDEN


def test_it_allows_local_paths_when_configured(allow_local_repos):
    assert parse_remote_url("/srv/git/app.git").scheme == "file"
    assert parse_remote_url("file:///srv/git/app.git").scheme == "file"


def test_it_says_a_malformed_url_is_malformed(settings):
    errors = form_errors(TeamFactory(), url="acme/app")
    assert errors["url"] == ["Not a repository URL. Use https://host/owner/repo.git or git@host:owner/repo.git."]


def test_it_says_a_private_host_is_refused(settings):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    errors = form_errors(TeamFactory(), url="https://localhost/acme/app.git")
    assert "loopback, private or link-local" in errors["url"][0]


def test_it_says_an_unknown_host_cannot_be_resolved(settings):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    errors = form_errors(TeamFactory(), url="https://no-such-host.invalid/acme/app.git")
    assert errors["url"] == ["Could not resolve the host 'no-such-host.invalid'."]


def test_it_says_an_unreachable_host_is_unreachable(allow_local_repos):
    errors = form_errors(TeamFactory(), url="http://127.0.0.1:9/acme/app.git")
    assert errors["url"][0].startswith("Could not reach the host")


def test_it_says_a_missing_repository_is_missing(allow_local_repos, tmp_path):
    errors = form_errors(TeamFactory(), url=str(tmp_path / "missing.git"))
    assert errors["url"][0].startswith("Repository not found")


def test_it_says_a_missing_branch_is_missing(allow_local_repos, local_remote):
    errors = form_errors(TeamFactory(), url=local_remote.url, branch="release")
    assert errors == {"branch": ["The branch 'release' does not exist on the remote."]}


def test_it_says_when_there_is_no_convex_folder(allow_local_repos, local_remote):
    local_remote.remove("convex")
    local_remote.commit("No backend")
    errors = form_errors(TeamFactory(), url=local_remote.url)
    assert errors["convex_dir"][0].startswith("No Convex folder: main has no convex/ folder")


def move_backend(local_remote, *folders: str) -> None:
    """The demo's convex/ moved into a monorepo package (several for several folders)."""
    for folder in folders:
        shutil.copytree(local_remote.work / "convex", local_remote.work / folder / "convex")
        local_remote.write(f"{folder}/package.json", '{"dependencies": {"convex": "^1.17.0"}}')
    local_remote.remove("convex")
    local_remote.commit("Monorepo")


def test_it_suggests_the_convex_folder_it_finds_below_the_root(allow_local_repos, local_remote):
    move_backend(local_remote, "packages/backend")
    data = {"url": local_remote.url, "branch": "", "token": "", "convex_dir": "", "name": ""}
    form = RepositoryForm(data=data, team=TeamFactory())
    assert not form.is_valid()
    assert form.errors["convex_dir"] == [
        "main has no Convex folder at its root; packages/backend/convex/ looks like it. Submit again to use it."]
    assert form["convex_dir"].value() == "packages/backend/convex"
    again = RepositoryForm(data={**data, "convex_dir": form["convex_dir"].value()}, team=form.team)
    assert again.is_valid(), again.errors
    assert again.save().convex_dir == "packages/backend/convex"


def test_it_lists_every_convex_folder_it_finds_and_fills_in_the_first(allow_local_repos, local_remote):
    move_backend(local_remote, "apps/admin", "apps/site")
    form = RepositoryForm(data={"url": local_remote.url, "branch": "", "token": "", "convex_dir": "", "name": ""},
                          team=TeamFactory())
    assert not form.is_valid()
    assert form.errors["convex_dir"] == ["main has several Convex folders: apps/admin/convex/, apps/site/convex/. "
                                         "Choose the one to audit and submit again."]
    assert form["convex_dir"].value() == "apps/admin/convex"


def test_it_suggests_nothing_when_the_convex_folder_is_at_the_root(allow_local_repos, local_remote):
    local_remote.write("apps/x/package.json", '{"dependencies": {"convex": "1"}}')
    local_remote.write("apps/x/convex/a.ts", "export {};\n")
    local_remote.commit("A second backend below")
    form = RepositoryForm(data={"url": local_remote.url, "branch": "", "token": "", "convex_dir": "", "name": ""},
                          team=TeamFactory())
    assert form.is_valid(), form.errors


def test_it_says_when_the_convex_folder_override_does_not_exist(allow_local_repos, local_remote):
    errors = form_errors(TeamFactory(), url=local_remote.url, convex_dir="backend/convex")
    assert errors == {"convex_dir": ["No Convex folder: backend/convex/ does not exist on main."]}


def test_it_refuses_a_convex_folder_outside_the_repository(allow_local_repos, local_remote):
    errors = form_errors(TeamFactory(), url=local_remote.url, convex_dir="../../etc")
    assert errors["convex_dir"] == ["The Convex folder must be a relative path inside the repository."]


def test_it_says_a_bad_branch_name_is_bad(allow_local_repos, local_remote):
    errors = form_errors(TeamFactory(), url=local_remote.url, branch="--force")
    assert errors == {"branch": ["'--force' is not a valid branch name."]}


def test_it_refuses_the_same_repository_twice(allow_local_repos, local_remote):
    team = TeamFactory()
    RepositoryFactory(team=team, url=local_remote.url, branch="main")
    errors = form_errors(team, url=local_remote.url)
    assert errors == {"__all__": ["This repository and branch are already connected to the team."]}


def test_it_connects_a_repository_on_its_default_branch_with_an_encrypted_token(allow_local_repos, local_remote):
    team = TeamFactory()
    form = RepositoryForm(data={"url": local_remote.url, "branch": "", "token": TOKEN, "convex_dir": ""}, team=team)
    assert form.is_valid(), form.errors
    repository = form.save()
    assert repository.branch == "main"
    assert repository.name == "remotes/remote"
    stored = Repository.objects.values_list("token_encrypted", flat=True).get(pk=repository.pk)
    assert TOKEN not in stored and stored
    assert Repository.objects.get(pk=repository.pk).get_token() == TOKEN


def test_it_keeps_the_stored_token_when_the_field_is_left_empty(allow_local_repos, local_remote):
    repository = RepositoryFactory(url=local_remote.url, branch="main")
    repository.set_token(TOKEN)
    repository.save()
    data = {"url": local_remote.url, "branch": "main", "token": "", "convex_dir": "", "name": "x"}
    form = RepositoryForm(data=data, instance=repository, team=repository.team)
    assert form.is_valid(), form.errors
    assert form.save().get_token() == TOKEN
    form = RepositoryForm(data={**data, "clear_token": "on"}, instance=repository, team=repository.team)
    assert form.is_valid(), form.errors
    assert not form.save().has_token


def test_it_never_renders_the_token_back(allow_local_repos, local_remote):
    form = RepositoryForm(data={"url": "nope", "token": TOKEN}, team=TeamFactory())
    assert not form.is_valid()
    assert TOKEN not in str(form)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://github.com/acme/app.git", "acme/app"),
        ("git@github.com:acme/app.git", "acme/app"),
        ("https://gitlab.com/group/sub/app", "sub/app"),
    ],
)
def test_it_names_repositories_after_their_url(url, name):
    assert name_from_url(url) == name


def test_it_scrubs_tokens_and_url_credentials():
    message = f"fatal: unable to access 'https://x:{TOKEN}@github.com/a/b.git/': {TOKEN}"
    scrubbed = scrub(message, [TOKEN])
    assert TOKEN not in scrubbed and "x:" not in scrubbed


class AuthServer:
    """A git "smart HTTP" endpoint on loopback that refuses every credential."""

    def __init__(self) -> None:
        self.authorizations: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.authorizations.append(self.headers.get("Authorization", ""))
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="git"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/acme/private.git"

    def __enter__(self) -> AuthServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_it_says_authentication_failed_when_the_token_is_refused(allow_local_repos):
    with AuthServer() as server:
        errors = form_errors(TeamFactory(), url=server.url, token=TOKEN)
    assert errors == {
        "token": ["Authentication failed. Check the access token: it needs read access to the repository."]
    }
    # The token reached the server through git's credential helper, and nowhere else.
    assert "Basic " + base64.b64encode(f"x-access-token:{TOKEN}".encode()).decode() in server.authorizations


def test_it_asks_for_a_token_when_a_private_repository_refuses_anonymous_access(allow_local_repos):
    with AuthServer() as server:
        errors = form_errors(TeamFactory(), url=server.url)
    assert errors == {
        "token": ["Authentication failed. The repository may be private: add an access token with read access."]
    }


def test_it_pins_git_to_the_addresses_it_checked(settings, monkeypatch):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = False
    monkeypatch.setattr(
        "socket.getaddrinfo",
        lambda *a, **k: [(2, 1, 6, "", ("140.82.112.3", 0)), (10, 1, 6, "", ("2606:50c0::1", 0, 0, 0))],
    )
    remote = validate_remote_url("https://github.com/acme/app.git")
    assert pin_args(remote) == ["-c", "http.curloptResolve=github.com:443:140.82.112.3,[2606:50c0::1]"]
    assert pin_args(validate_remote_url("git@github.com:acme/app.git")) == []


def test_it_makes_git_connect_only_to_the_pinned_address(allow_local_repos):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    port = listener.getsockname()[1]
    accepted = []

    def accept_and_close():
        connection, _ = listener.accept()
        accepted.append(True)
        connection.close()

    thread = threading.Thread(target=accept_and_close, daemon=True)
    thread.start()
    url = f"https://pinned.invalid:{port}/acme/app.git"
    remote = ParsedRemote(url, "https", "pinned.invalid", port, ("127.0.0.1",))
    with pytest.raises(RemoteError) as caught:
        run_git(["ls-remote", "--", url], url=url, token=None, timeout=10, remote=remote)
    thread.join(5)
    listener.close()
    # Without the pin "pinned.invalid" would not even resolve; with it, git reached our listener.
    assert accepted
    assert "resolve" not in caught.value.message.lower()


@pytest.mark.parametrize(("page", "clone"), [
    ("https://github.com/acme/chat/tree/main", "https://github.com/acme/chat.git"),
    ("https://github.com/acme/chat/blob/main/convex/schema.ts", "https://github.com/acme/chat.git"),
    ("https://github.com/acme/chat/pull/12", "https://github.com/acme/chat.git"),
    ("https://gitlab.com/group/sub/chat/-/tree/main", "https://gitlab.com/group/sub/chat.git"),
    ("https://bitbucket.org/acme/chat/src/main/", "https://bitbucket.org/acme/chat.git"),
])
def test_it_gives_the_clone_url_for_a_web_page_address(page, clone):
    errors = form_errors(TeamFactory(), url=page)
    assert errors["url"] == [f"This is a web page address, not the repository's clone URL. The clone URL is {clone}"]


def test_it_accepts_clone_urls_that_look_like_pages_elsewhere():
    for url in ("https://github.com/acme/chat", "https://github.com/acme/chat.git",
                "https://gitlab.com/group/sub/chat.git", "https://git.example.com/acme/chat/tree/x.git"):
        assert gitops.parse_remote_url(url).url == url


SSH_UNRESOLVED = (
    "ssh: Could not resolve hostname gitlab.example: Name or service not known\r\n"
    "fatal: Could not read from remote repository.\n\n"
    "Please make sure you have the correct access rights\nand the repository exists.\n"
)
SSH_DENIED = (
    "git@github.com: Permission denied (publickey).\r\n"
    "fatal: Could not read from remote repository.\n\n"
    "Please make sure you have the correct access rights\nand the repository exists.\n"
)


def test_it_explains_ssh_failures_in_sentences_without_gits_output():
    unresolved = gitops.classify_failure(SSH_UNRESOLVED, "git@gitlab.example:acme/chat.git", None)
    assert unresolved.message == (
        "Could not reach the host gitlab.example: its name does not resolve. Check the spelling of the host in the URL."
    )
    denied = gitops.classify_failure(SSH_DENIED, "git@github.com:acme/chat.git", None)
    assert denied.kind == RemoteError.AUTH and "Use the https:// clone URL instead" in denied.message
    for error in (unresolved, denied, gitops.classify_failure("fatal: something odd\n", "https://x.example/a/b", None)):
        assert "fatal" not in error.message and "repository exists" not in error.message


def test_it_explains_a_refused_ssh_connection(allow_local_repos):
    errors = form_errors(TeamFactory(), url="ssh://git@127.0.0.1:9/acme/app.git")
    assert errors["url"] == [
        "Could not reach the host 127.0.0.1: the connection was refused or no route leads there. "
        "Check the host and port in the URL."
    ]
