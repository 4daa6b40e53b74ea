"""Pull requests from forks: the installation reads the repository, not the fork, so the head is
fetched from the repository (by its commit, else GitHub's refs/pull/<n>/head), with a token
minted for the repository alone; nothing of the fork (its URL, its own connection) is used."""

from __future__ import annotations

import pytest
from django.urls import reverse

from githubapp.models import GitHubRepository, Installation, PullRequestAudit
from githubapp.publish import CHECK_NAME
from projects import gitops, pipeline
from projects.models import Audit
from tests.automation import eager_celery
from tests.factories import RepositoryFactory
from tests.githubapp.conftest import deliver, webhook_example
from tests.githubapp.helpers import github_remote
from tests.githubapp.test_end_to_end import PURGE, line_of
from tests.gitrepos import LocalRemote, git

pytestmark = pytest.mark.django_db

BASE = "octocat/Hello-World"
FORK = "mallory/Hello-World"
HEAD_BRANCH = "feature/purge"


def push(work, ref: str, bare) -> str:
    git("push", "-q", "-f", str(bare), f"HEAD:{ref}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work)


def fork_payload(link: GitHubRepository, fork_id: int, number: int, head_sha: str, fork_url: str) -> dict:
    """GitHub's pull_request.opened example, its head in a fork of the connected repository."""
    payload = webhook_example("pull_request", "opened")
    payload["installation"] = {"id": link.installation.installation_id}
    payload["repository"].update({"id": link.github_id, "full_name": link.full_name})
    payload["number"] = number
    pull = payload["pull_request"]
    pull.update({"number": number, "draft": False})
    pull["base"].update({"ref": link.repository.branch})
    pull["base"]["repo"].update({"id": link.github_id, "full_name": link.full_name})
    pull["head"].update({"sha": head_sha, "ref": HEAD_BRANCH, "label": f"mallory:{HEAD_BRANCH}"})
    pull["head"]["repo"].update({"id": fork_id, "full_name": FORK, "clone_url": fork_url, "fork": True})
    assert pull["head"]["repo"]["id"] != pull["base"]["repo"]["id"]
    return payload


def test_it_audits_a_fork_pull_request_from_the_repository_with_its_own_token(
    client, personas, github_app, github_requests, allow_local_repos, tmp_path, monkeypatch,
    django_capture_on_commit_callbacks,
):
    git_root = tmp_path / "git"
    github_app.GITHUB_GIT_URL = str(git_root)
    base = github_remote(git_root, BASE, "main")
    installation = Installation.objects.create(installation_id=31, team=personas.team, account_login="octocat")
    link = GitHubRepository.objects.create(
        repository=RepositoryFactory(team=personas.team, name=BASE, branch="main", url=f"{git_root}/{BASE}.git"),
        installation=installation, github_id=1296269, full_name=BASE,
    )
    # The fork is connected too, by another team through its own installation: none of it is used.
    fork_remote = github_remote(git_root, FORK, "main")
    fork_installation = Installation.objects.create(installation_id=32, team=personas.other_team)
    fork_link = GitHubRepository.objects.create(
        repository=RepositoryFactory(team=personas.other_team, name=FORK, url=f"{git_root}/{FORK}.git"),
        installation=fork_installation, github_id=1296270, full_name=FORK,
    )
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        pipeline.queue_audit(link.repository, Audit.Trigger.MANUAL)
    base_audit = link.repository.audits.get()
    assert base_audit.state == Audit.State.DONE, base_audit.failure_reason

    # The repository has a branch of the fork's branch name, with other code.
    git("checkout", "-q", "-b", HEAD_BRANCH, cwd=base.work)
    base.write("README.md", "A branch of the repository that happens to share the fork's branch name.\n")
    git("add", "-A", cwd=base.work)
    git("commit", "-q", "-m", "Unrelated", cwd=base.work)
    same_name = push(base.work, f"refs/heads/{HEAD_BRANCH}", base.bare)
    # The fork's commit, which GitHub keeps in the repository as refs/pull/<n>/head.
    number = 12
    git("checkout", "-q", "-B", "fork-work", "main", cwd=base.work)
    messages_ts = (base.work / "convex" / "messages.ts").read_text() + PURGE
    base.write("convex/messages.ts", messages_ts)
    git("add", "-A", cwd=base.work)
    git("commit", "-q", "-m", "Purge messages", cwd=base.work)
    head = push(base.work, f"refs/pull/{number}/head", base.bare)
    assert head != same_name

    seen: list[list[str]] = []
    environments: list[dict[str, str]] = []
    real_popen = gitops.subprocess.Popen

    def watched_popen(command, *args, **kwargs):
        seen.append(list(command))
        environments.append(dict(kwargs.get("env") or {}))
        return real_popen(command, *args, **kwargs)

    monkeypatch.setattr(gitops.subprocess, "Popen", watched_popen)
    refs: list[str | None] = []
    real_fetch = gitops.fetch_checkout
    monkeypatch.setattr(gitops, "fetch_checkout", lambda *a, **k: refs.append(k.get("ref")) or real_fetch(*a, **k))
    github_requests.clear()
    payload = fork_payload(link, fork_link.github_id, number, head, fork_remote.url)
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, "pull_request", payload)
    monkeypatch.undo()
    assert response.json()["status"] == "queued", response.json()

    run = PullRequestAudit.objects.select_related("audit").get()
    assert (run.head_ref, run.head_repository, run.audit.branch) == (f"pull/{number}/head", FORK,
                                                                     f"pull/{number}/head")
    assert run.audit.state == Audit.State.DONE, run.audit.failure_reason
    assert run.audit.commit_sha == head and run.base_audit == base_audit
    assert refs == [f"refs/pull/{number}/head"]
    # Fetched from the repository only; the fork's branch name and URL are never asked for.
    fetches = [command for command in seen if "fetch" in command]
    assert fetches and all(command[command.index("--") + 1] == link.repository.url for command in fetches)
    assert not any(HEAD_BRANCH in part or fork_remote.url in part for command in seen for part in command)
    # Only fetching has the token; writing out the fork's files (checkout, clean) runs without it.
    for command, env in zip(seen, environments, strict=True):
        assert ("AUDITOR_GIT_TOKEN" in env) == ("fetch" in command), command
    # Tokens are minted by the repository's installation for the repository alone.
    minted = [r for r in github_requests if r.path.endswith("/access_tokens")]
    assert minted and {r.path for r in minted} == {f"/app/installations/{installation.installation_id}/access_tokens"}
    assert all(r.body == {"repository_ids": [link.github_id]} for r in minted)
    assert not fork_link.repository.audits.exists()

    # The check run is on the repository, judged on the fork's change.
    checks = [r for r in github_requests if r.path.startswith(f"/repos/{BASE}/check-runs")]
    assert checks[0].body["name"] == CHECK_NAME and checks[0].body["head_sha"] == head
    completed = next(r.body for r in checks if r.body and r.body.get("status") == "completed")
    assert completed["conclusion"] == "failure"
    purge_line = line_of(messages_ts, "ctx.db.delete(message._id)")
    assert ("convex/messages.ts", purge_line) in {(a["path"], a["start_line"])
                                                  for a in completed["output"]["annotations"]}
    assert not [r for r in github_requests if r.path.startswith(f"/repos/{FORK}")]

    client.force_login(personas.admin)
    page = client.get(reverse("reports:audit", args=[run.audit_id])).content.decode()
    assert f"from the fork <code>{FORK}</code>" in page


def test_it_fetches_the_pull_requests_ref_when_the_commit_cannot_be_fetched(tmp_path, allow_local_repos):
    (tmp_path / "remote").mkdir()
    remote = LocalRemote(tmp_path / "remote")
    git("checkout", "-q", "-b", HEAD_BRANCH, cwd=remote.work)
    remote.write("README.md", "the repository's own branch\n")
    git("add", "-A", cwd=remote.work)
    git("commit", "-q", "-m", "Own branch", cwd=remote.work)
    branch_head = push(remote.work, f"refs/heads/{HEAD_BRANCH}", remote.bare)
    remote.write("README.md", "the fork's change\n")
    git("add", "-A", cwd=remote.work)
    git("commit", "-q", "-m", "Fork's change", cwd=remote.work)
    pull_head = push(remote.work, "refs/pull/3/head", remote.bare)
    gone = "e" * 40  # a commit the server does not have (a force-pushed head, say)

    commit = gitops.fetch_checkout(tmp_path / "a", remote.url, HEAD_BRANCH, None, sha=gone, ref="refs/pull/3/head")
    assert commit.sha == pull_head
    # Without the ref, the branch of that name is what a same-repository pull request means.
    commit = gitops.fetch_checkout(tmp_path / "b", remote.url, HEAD_BRANCH, None, sha=gone)
    assert commit.sha == branch_head
    with pytest.raises(gitops.RemoteError) as missing:
        gitops.fetch_checkout(tmp_path / "c", remote.url, HEAD_BRANCH, None, sha=gone, ref="refs/pull/4/head")
    assert "refs/pull/4/head" in missing.value.message
    with pytest.raises(gitops.RemoteError):
        gitops.fetch_checkout(tmp_path / "d", remote.url, HEAD_BRANCH, None, ref="refs/heads/main")


def test_it_treats_a_deleted_fork_as_a_fork():
    from githubapp.services import head_fork

    payload = webhook_example("pull_request", "opened")["pull_request"]
    assert head_fork(payload) is None
    payload["head"]["repo"] = None
    assert head_fork(payload) == "(deleted fork)"


def test_it_keeps_fetching_the_forks_ref_for_a_reaped_audits_retry(personas):
    from githubapp.models import PullRequest
    from tests.factories import AuditFactory

    installation = Installation.objects.create(installation_id=33, team=personas.team)
    link = GitHubRepository.objects.create(repository=RepositoryFactory(team=personas.team, name=BASE),
                                           installation=installation, github_id=1296269, full_name=BASE)
    pull_request = PullRequest.objects.create(github_repository=link, number=5)
    runs = {}
    for head_ref, fork in (("pull/5/head", FORK), ("feature/own", "")):
        audit = AuditFactory(repository=link.repository, trigger=Audit.Trigger.PULL_REQUEST, branch=head_ref)
        runs[head_ref] = PullRequestAudit.objects.create(audit=audit, pull_request=pull_request, head_sha="a" * 40,
                                                         head_ref=head_ref, head_repository=fork, base_ref="main")
    for head_ref, expected in (("pull/5/head", "refs/pull/5/head"), ("feature/own", None)):
        first = runs[head_ref].audit
        retry = AuditFactory(repository=link.repository, trigger=Audit.Trigger.PULL_REQUEST, branch=head_ref,
                             retry_of=first, attempt=2)
        assert pipeline.pull_request_ref(first) == pipeline.pull_request_ref(retry) == expected
    assert pipeline.pull_request_ref(AuditFactory(repository=link.repository, branch="main")) is None
