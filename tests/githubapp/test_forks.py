"""Pull requests from forks: the installation reads the repository, not the fork, so the head is
fetched from the repository (by its commit, else GitHub's refs/pull/<n>/head), with a token
minted for the repository alone; nothing of the fork (its URL, its own connection) is used."""

from __future__ import annotations

import pytest
from django.urls import reverse

from githubapp.models import GitHubRepository, PullRequestAudit
from githubapp.publish import CHECK_NAME
from projects import gitops, pipeline
from projects.models import Audit
from tests.automation import eager_celery
from tests.githubapp.conftest import deliver, webhook_example
from tests.githubapp.helpers import connect, github_remote
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
    django_capture_on_commit_callbacks, prism_prefers,
):
    prism_prefers("GET", r"/repos/.+/contents/convex-audit\.toml", "code=404")  # the base has none
    git_root = tmp_path / "git"
    github_app.GITHUB_GIT_URL = str(git_root)
    base = github_remote(git_root, BASE, "main")
    link = connect(personas.team, BASE, installation_id=31, url=f"{git_root}/{BASE}.git")
    # The fork is connected too, by another team through its own installation: none of it is used.
    fork_remote = github_remote(git_root, FORK, "main")
    fork_link = connect(personas.other_team, FORK, installation_id=32, github_id=1296270, url=f"{git_root}/{FORK}.git")
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
    installation_id = link.installation.installation_id
    assert minted and {r.path for r in minted} == {f"/app/installations/{installation_id}/access_tokens"}
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
    # The configuration was asked for at the base commit (there is none: the engine's defaults).
    (config,) = [r for r in github_requests if r.path == f"/repos/{BASE}/contents/convex-audit.toml"]
    assert config.query == {"ref": payload["pull_request"]["base"]["sha"]} and run.base_sha == config.query["ref"]
    assert f"From the fork `{FORK}`: judged with no `convex-audit.toml`" in completed["output"]["summary"]

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

    link = connect(personas.team, BASE, installation_id=33)
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


# --- what a fork's change is judged by --------------------------------------------------------

SWEEP = """import { query } from "./_generated/server";

export const sweep = query({
  args: {},
  handler: async (ctx) => {
    const first = await ctx.db.query("messages").first();
    // convex-audit-ignore-next-line functions/query-writes-db -- reviewed: run once by hand
    if (first) await ctx.db.delete(first._id);
  },
});
"""
CLEANUP = SWEEP.replace("sweep", "cleanup").replace(
    "    // convex-audit-ignore-next-line functions/query-writes-db -- reviewed: run once by hand\n", "")
WRITES_DB = "functions/query-writes-db"


def change_with_its_own_silencers(remote) -> tuple[str, str]:
    """A head adding two queries that write: one under a suppression comment it adds, one in a
    file its own convex-audit.toml ignores. Returns the head and the text of convex/messages.ts."""
    purge = PURGE.replace(
        "      await ctx.db.delete(message._id);\n",
        f"      // convex-audit-ignore-next-line {WRITES_DB} -- fine, trust me\n"
        "      await ctx.db.delete(message._id);\n",
    )
    messages_ts = (remote.work / "convex" / "messages.ts").read_text() + purge
    remote.write("convex/messages.ts", messages_ts)
    remote.write("convex/cleanup.ts", CLEANUP)
    remote.write("convex-audit.toml", 'ignore = ["convex/cleanup.ts"]\n')
    git("add", "-A", cwd=remote.work)
    git("commit", "-q", "-m", "Purge and clean up", cwd=remote.work)
    return git("rev-parse", "HEAD", cwd=remote.work), messages_ts


@pytest.fixture
def connected(personas, github_app, allow_local_repos, tmp_path, django_capture_on_commit_callbacks):
    """The repository connected through the App, its base audited with a finding it suppresses in
    source itself (convex/sweep.ts), and a gate on new writing queries of any severity."""
    from gates.models import GateCondition
    from gates.services import gate_for

    git_root = tmp_path / "git"
    github_app.GITHUB_GIT_URL = str(git_root)
    remote = github_remote(git_root, BASE, "main")
    remote.write("convex/sweep.ts", SWEEP)
    remote.commit("A sweep, reviewed")
    link = connect(personas.team, BASE, installation_id=41, url=f"{git_root}/{BASE}.git")
    gate = gate_for(link.repository)
    gate.conditions.all().delete()
    GateCondition.objects.create(gate=gate, min_severity="info", rule_glob=WRITES_DB, max_new=0)
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        pipeline.queue_audit(link.repository, Audit.Trigger.MANUAL)
    base_audit = link.repository.audits.get()
    assert base_audit.state == Audit.State.DONE, base_audit.failure_reason
    (swept,) = base_audit.findings.filter(rule=WRITES_DB, path="convex/sweep.ts")
    assert swept.state == "suppressed"
    return link, remote, base_audit


def writing_queries(audit: Audit) -> dict[str, tuple[str, str, str]]:
    """path → (severity, state, suppression) of the audit's functions/query-writes-db findings."""
    return {f.path: (f.severity, f.state, f.suppression or "") for f in audit.findings.filter(rule=WRITES_DB)}


def test_it_judges_a_fork_pull_request_by_its_base_configuration_and_counts_the_suppressions_it_adds(
    client, connected, github_requests, prism_prefers, django_capture_on_commit_callbacks,
):
    from tests.githubapp.conftest import BASE_CONFIG, BASE_CONFIG_TEXT

    link, remote, base_audit = connected
    prism_prefers("GET", r"/repos/.+/contents/convex-audit\.toml", f"example={BASE_CONFIG}")
    assert f'"{WRITES_DB}" = "warning"' in BASE_CONFIG_TEXT
    head, messages_ts = change_with_its_own_silencers(remote)
    number = 21
    push(remote.work, f"refs/pull/{number}/head", remote.bare)
    payload = fork_payload(link, 1296270, number, head, "https://github.com/mallory/Hello-World.git")
    github_requests.clear()
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        deliver(client, "pull_request", payload)

    run = PullRequestAudit.objects.select_related("audit").get()
    audit = run.audit
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert run.head_repository == FORK and audit.baseline == base_audit
    found = writing_queries(audit)
    # The base's convex-audit.toml (warning) counts, the fork's own (ignoring cleanup.ts) does not,
    # and the comment the fork added above its purge does not suppress it.
    assert found["convex/cleanup.ts"] == ("warning", "open", "")
    severity, state, suppression = found["convex/messages.ts"]
    assert (severity, state) == ("warning", "open")
    assert suppression.startswith(pipeline.NOT_HONOURED) and suppression.endswith("comment: fine, trust me")
    # What the base already suppressed in source stays suppressed.
    assert found["convex/sweep.ts"][1] == "suppressed"
    assert audit.stats["base_rules"] == {"base": run.base_sha, "config": f"convex-audit.toml of the base commit "
                                         f"{run.base_sha[:7]}", "suppressions_not_honoured": 1}
    assert audit.stats["config"] == audit.stats["base_rules"]["config"]

    assert run.conclusion == "failure"
    completed = next(r.body for r in github_requests if r.method == "PATCH" and "/check-runs/" in r.path
                     and r.body.get("status") == "completed")
    assert completed["conclusion"] == "failure"
    summary = completed["output"]["summary"]
    assert f"judged with the base commit's `convex-audit.toml` (`{run.base_sha[:7]}`)" in summary
    assert "1 new finding suppressed by `convex-audit-ignore-next-line` comments count as open" in summary
    assert "2 new (at most 0)" in summary  # the gate counted both
    purge_line = line_of(messages_ts, "await ctx.db.delete(message._id)")
    (purge,) = [a for a in completed["output"]["annotations"]
                if (a["path"], a["start_line"]) == ("convex/messages.ts", purge_line)]
    assert purge["annotation_level"] == "warning" and "is not honoured" in purge["message"]
    comment = next(r.body["body"] for r in github_requests if r.path.endswith(f"/issues/{number}/comments")
                   and r.method == "POST")
    assert "count as open" in comment


def test_it_keeps_a_same_repository_pull_requests_own_configuration_and_suppressions(
    client, connected, github_requests, django_capture_on_commit_callbacks,
):
    from tests.githubapp.test_end_to_end import pull_request_payload

    link, remote, base_audit = connected
    head, _ = change_with_its_own_silencers(remote)
    push(remote.work, "refs/heads/feature/purge", remote.bare)
    github_requests.clear()
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        deliver(client, "pull_request", pull_request_payload("opened", link, 22, head, "main"))

    run = PullRequestAudit.objects.select_related("audit").get()
    assert run.head_repository == "" and run.audit.state == Audit.State.DONE, run.audit.failure_reason
    assert run.audit.baseline == base_audit
    found = writing_queries(run.audit)
    assert found["convex/cleanup.ts"][:2] == ("error", "suppressed") and "ignored" in found["convex/cleanup.ts"][2]
    assert found["convex/messages.ts"] == ("error", "suppressed", "comment: fine, trust me")
    assert "base_rules" not in run.audit.stats
    assert run.conclusion == "success"
    assert not [r for r in github_requests if "/contents/" in r.path]
    completed = next(r.body for r in github_requests if r.method == "PATCH" and "/check-runs/" in r.path
                     and r.body.get("status") == "completed")
    assert "From the fork" not in completed["output"]["summary"]


def test_it_reads_the_base_configuration_of_fork_pull_requests_only(personas, github_app, github_requests,
                                                                   prism_prefers):
    from githubapp.models import PullRequest
    from githubapp.services import base_rules
    from tests.factories import AuditFactory
    from tests.githubapp.conftest import BASE_CONFIG, BASE_CONFIG_TEXT

    link = connect(personas.team, BASE, installation_id=42)
    pull_request = PullRequest.objects.create(github_repository=link, number=6)

    def audit_of(fork: str, base_sha: str = "b" * 40) -> Audit:
        audit = AuditFactory(repository=link.repository, trigger=Audit.Trigger.PULL_REQUEST, branch="pull/6/head")
        PullRequestAudit.objects.create(audit=audit, pull_request=pull_request, head_sha="a" * 40,
                                        head_ref="pull/6/head", head_repository=fork, base_ref="main",
                                        base_sha=base_sha)
        return audit

    contents = r"/repos/.+/contents/convex-audit\.toml"
    prism_prefers("GET", contents, "code=404", when=lambda r: r.url.params.get("ref") == "main")
    prism_prefers("GET", contents, "code=403", when=lambda r: r.url.params.get("ref") == "c" * 40)
    prism_prefers("GET", contents, f"example={BASE_CONFIG}")
    assert base_rules(audit_of("")) is None  # a branch of the repository: its own configuration
    assert base_rules(AuditFactory(repository=link.repository, branch="main")) is None
    assert base_rules(audit_of(FORK)) == pipeline.BaseRules("b" * 40, BASE_CONFIG_TEXT,
                                                            "convex-audit.toml of the base commit bbbbbbb")
    assert base_rules(audit_of(FORK, base_sha="")) == pipeline.BaseRules("main", "", None)  # none at the base
    with pytest.raises(gitops.RemoteError, match="could not be read from GitHub"):
        base_rules(audit_of(FORK, base_sha="c" * 40))
    asked = [r.query.get("ref") for r in github_requests if r.path.endswith("/contents/convex-audit.toml")]
    assert asked == ["b" * 40, "main", "c" * 40]
