"""End to end against Prism: bind an installation, pick two repositories (one on the second page
of the installation's list), audit them, then two pull request deliveries (GitHub's own example
payloads, re-pointed at a local repository's commits).

What was published is read from the requests the product sent (Prism validated each against
GitHub's description), not from a fake server.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from githubapp.models import GitHubRepository, Installation, PullRequest, PullRequestAudit
from githubapp.publish import ANNOTATIONS_PER_REQUEST, CHECK_NAME, COMMENT_MARKER
from projects.models import Audit
from tests.automation import eager_celery
from tests.githubapp.conftest import (
    FIRST_OF_TWO_PAGES,
    REPOSITORIES,
    SECOND_PAGE,
    deliver,
    on_page,
    openapi_example,
    webhook_example,
)
from tests.githubapp.helpers import github_remote, sign_in_with_github
from tests.gitrepos import git

pytestmark = pytest.mark.django_db

PURGE = """
export const purge = query({
  args: {},
  handler: async (ctx) => {
    const all = await ctx.db.query("messages").take(100);
    for (const message of all) {
      await ctx.db.delete(message._id);
    }
  },
});
"""


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def push_branch(remote, branch: str) -> str:
    git("push", "-q", "-f", str(remote.bare), f"HEAD:refs/heads/{branch}", cwd=remote.work)
    return git("rev-parse", "HEAD", cwd=remote.work)


def pull_request_payload(action: str, link: GitHubRepository, number: int, head_sha: str, base: str) -> dict:
    payload = webhook_example("pull_request", action)
    payload["installation"] = {"id": link.installation.installation_id}
    payload["repository"].update({"id": link.github_id, "full_name": link.full_name})
    payload["number"] = number
    pull = payload["pull_request"]
    pull.update({"number": number, "draft": False})
    pull["head"].update({"sha": head_sha, "ref": "feature/purge"})
    pull["base"].update({"ref": base})
    return payload


def move_into(remote, folder: str) -> None:
    """The app's files moved under `folder`, as in a repository whose Convex app is not at the root."""
    (remote.work / folder).mkdir()
    for entry in sorted(remote.work.iterdir()):
        if entry.name not in (".git", folder):
            git("mv", entry.name, f"{folder}/{entry.name}", cwd=remote.work)
    remote.commit(f"Move the app into {folder}/")


def test_it_runs_pull_requests_end_to_end(client, personas, github_app, github_requests, allow_local_repos,
                                          prism_prefers, tmp_path, django_capture_on_commit_callbacks):
    # 1. The installation callback binds the installation to the team.
    sign_in_with_github(personas.admin)
    client.force_login(personas.admin)
    state = client.post(reverse("githubapp:connect"))["Location"].split("state=", 1)[1]
    installation_id = openapi_example("/user/installations")["installations"][0]["id"]
    client.get(reverse("githubapp:setup"), {"installation_id": installation_id, "state": state})
    installation = Installation.objects.get(installation_id=installation_id, team=personas.team)

    # 2. Two repositories are picked, one from each page of the installation's list, and their
    # first audits run; the second keeps its Convex app in a folder that discovery finds.
    prism_prefers("GET", REPOSITORIES, f"example={FIRST_OF_TWO_PAGES}", when=on_page(1))
    prism_prefers("GET", REPOSITORIES, f"example={SECOND_PAGE}", when=on_page(2))
    picked = [openapi_example(REPOSITORIES, example=FIRST_OF_TWO_PAGES)["repositories"][0],
              openapi_example(REPOSITORIES, example=SECOND_PAGE)["repositories"][0]]
    git_root = tmp_path / "git"
    github_app.GITHUB_GIT_URL = str(git_root)
    remotes = {repo["id"]: github_remote(git_root, repo["full_name"], repo["default_branch"]) for repo in picked}
    move_into(remotes[picked[1]["id"]], "web")
    picker = reverse("githubapp:repositories", args=[installation.pk])
    assert f'value="{picked[0]["id"]}"' in client.get(picker).content.decode()
    assert f'value="{picked[1]["id"]}"' in client.get(picker, {"page": 2}).content.decode()
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        client.post(picker, {"repository": [str(repo["id"]) for repo in picked]})
    links = {link.github_id: link for link in GitHubRepository.objects.select_related("repository", "installation")}
    assert set(links) == {repo["id"] for repo in picked}
    for repo in picked:
        repository = links[repo["id"]].repository
        assert (repository.name, repository.branch, repository.team) == (repo["full_name"], repo["default_branch"],
                                                                         personas.team)
        first = Audit.objects.get(repository=repository)
        assert first.state == Audit.State.DONE, first.failure_reason
        assert first.commit_sha == git("rev-parse", "HEAD", cwd=remotes[repo["id"]].work)
    assert links[picked[1]["id"]].repository.last_audit.stats["convex_dir"] == "web/convex"
    assert links[picked[1]["id"]].repository.last_audit.findings.filter(path__startswith="web/convex/").exists()

    # The pull requests are opened on the second repository, whose app is under web/.
    link = links[picked[1]["id"]]
    remote = remotes[link.github_id]
    base_audit = link.repository.last_audit
    number = webhook_example("pull_request", "opened")["number"]
    app = remote.work / "web"

    # 3. A pull request whose head adds a finding and a required schema field.
    messages_ts = (app / "convex" / "messages.ts").read_text() + PURGE
    remote.write("web/convex/messages.ts", messages_ts)
    schema_ts = (app / "convex" / "schema.ts").read_text().replace(
        "    body: v.string(),\n", "    body: v.string(),\n    pinned: v.boolean(),\n"
    )
    remote.write("web/convex/schema.ts", schema_ts)
    git("add", "-A", cwd=remote.work)
    git("commit", "-q", "-m", "Purge and pin messages", cwd=remote.work)
    head = push_branch(remote, "feature/purge")
    github_requests.clear()
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, "pull_request",
                           pull_request_payload("opened", link, number, head, link.repository.branch))
    assert response.json()["status"] == "queued", response.json()
    run = PullRequestAudit.objects.select_related("audit").get(head_sha=head)
    assert run.audit.state == Audit.State.DONE, run.audit.failure_reason
    assert run.base_audit == base_audit and run.conclusion == "failure"

    repo_path = f"/repos/{link.full_name}"
    created = [r for r in github_requests if r.method == "POST" and r.path == f"{repo_path}/check-runs"]
    assert len(created) == 1
    assert created[0].body["name"] == CHECK_NAME and created[0].body["head_sha"] == head
    updates = [r for r in github_requests if r.method == "PATCH" and r.path.startswith(f"{repo_path}/check-runs/")]
    # Queued with the audit, in progress once the worker starts it, then completed.
    assert [created[0].body["status"], *(u.body.get("status") for u in updates[:2])] == [
        "queued", "in_progress", "completed"]
    completed = updates[1].body
    assert (completed["status"], completed["conclusion"]) == ("completed", "failure")
    assert completed["details_url"].endswith(reverse("reports:audit", args=[run.audit_id]))
    annotations = [a for update in updates for a in update.body["output"].get("annotations", [])]
    assert all(len(u.body["output"].get("annotations", [])) <= ANNOTATIONS_PER_REQUEST for u in updates)
    purge_line = line_of(messages_ts, "ctx.db.delete(message._id)")
    pinned_line = line_of(schema_ts, "pinned: v.boolean()")
    located = {(a["path"], a["start_line"], a["title"]) for a in annotations}
    assert ("web/convex/messages.ts", purge_line, "functions/query-writes-db") in located
    assert ("web/convex/schema.ts", pinned_line, "compat/required-field-added") in located
    # Only what the pull request introduces is annotated: the base's findings are not.
    base_rules = set(base_audit.findings.values_list("rule", "path", "line"))
    assert not {(a["title"], a["path"], a["start_line"]) for a in annotations} & base_rules
    summary = completed["output"]["summary"]
    assert "Failed" in summary and "functions/query-writes-db" in summary
    deploy_safety = summary.split("**Deploy safety**", 1)[1].split("**Top new findings**", 1)[0]
    assert "new: `compat/required-field-added` at `web/convex/schema.ts:" in deploy_safety

    comments = [r for r in github_requests if "/comments" in r.path and r.method in ("POST", "PATCH")]
    assert [r.method for r in comments] == ["POST"] and comments[0].path == f"{repo_path}/issues/{number}/comments"
    assert COMMENT_MARKER in comments[0].body["body"]
    comment_id = PullRequest.objects.get(number=number).comment_id
    assert comment_id is not None

    # 4. A synchronize that fixes both: the same comment is updated, a new check run succeeds.
    remote.write("web/convex/messages.ts", messages_ts.replace(PURGE, ""))
    remote.write("web/convex/schema.ts", schema_ts.replace("pinned: v.boolean()", "pinned: v.optional(v.boolean())"))
    git("add", "-A", cwd=remote.work)
    git("commit", "-q", "-m", "Keep messages, pin optionally", cwd=remote.work)
    fixed_head = push_branch(remote, "feature/purge")
    github_requests.clear()
    with eager_celery(), django_capture_on_commit_callbacks(execute=True):
        deliver(client, "pull_request", pull_request_payload("synchronize", link, number, fixed_head,
                                                             link.repository.branch))
    second = PullRequestAudit.objects.select_related("audit").get(head_sha=fixed_head)
    assert second.audit.state == Audit.State.DONE, second.audit.failure_reason
    assert second.conclusion == "success" and second.base_audit == base_audit
    created = [r for r in github_requests if r.method == "POST" and r.path == f"{repo_path}/check-runs"]
    assert len(created) == 1 and created[0].body["head_sha"] == fixed_head
    completed = [r.body for r in github_requests if r.method == "PATCH" and "/check-runs/" in r.path][-1]
    assert (completed["status"], completed["conclusion"]) == ("completed", "success")
    assert not completed["output"].get("annotations")
    comments = [r for r in github_requests if "/comments" in r.path and r.method in ("POST", "PATCH")]
    assert [(r.method, r.path) for r in comments] == [("PATCH", f"{repo_path}/issues/comments/{comment_id}")]
    assert COMMENT_MARKER in comments[0].body["body"] and "Passed" in comments[0].body["body"]

    # The audit page of a pull request's audit names it and the base it was compared with.
    page = client.get(reverse("reports:audit", args=[second.audit_id])).content.decode()
    assert f"#{number}" in page and base_audit.short_sha in page
    assert reverse("reports:audit", args=[base_audit.pk]) in page
