"""The GitHub App's pages in Debian's Chromium, against Prism: the repository picker, and the
audit page of a pull request's audit. Screenshots go to test-artifacts/."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.urls import reverse

from githubapp.models import GitHubRepository, Installation, PullRequestAudit
from tests.automation import eager_celery
from tests.browser.test_walkthrough import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.githubapp.conftest import deliver, openapi_example, webhook_example
from tests.githubapp.helpers import github_remote
from tests.gitrepos import git

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_picker_and_a_pull_requests_audit(live_server, personas, github_app, allow_local_repos, tmp_path,
                                                      monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    listed = openapi_example("/installation/repositories")["repositories"][0]
    github_app.GITHUB_GIT_URL = str(tmp_path / "git")
    remote = github_remote(tmp_path / "git", listed["full_name"], listed["default_branch"])
    installation = Installation.objects.create(
        installation_id=openapi_example("/user/installations")["installations"][0]["id"],
        team=personas.team,
        account_login="octocat",
    )
    http = Client()
    http.force_login(personas.admin)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright, eager_celery():
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
            context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                                  "value": http.cookies[django_settings.SESSION_COOKIE_NAME].value,
                                  "url": live_server.url}])
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(reverse("githubapp:repositories", args=[installation.pk]))
            expect(page.get_by_text(listed["full_name"])).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "github-picker.png"), full_page=True)
            page.get_by_label(f"Connect {listed['full_name']}").check()
            page.get_by_role("button", name="Connect ticked repositories").click()
            page.wait_for_load_state()
            link = GitHubRepository.objects.select_related("repository").get()

            remote.write("convex/extra.ts", 'import { query } from "./_generated/server";\n'
                         'export const all = query({ handler: async (ctx) => ctx.db.query("messages").collect() });\n')
            git("add", "-A", cwd=remote.work)
            git("commit", "-q", "-m", "List everything", cwd=remote.work)
            git("push", "-q", str(remote.bare), "HEAD:refs/heads/feature/list", cwd=remote.work)
            head = git("rev-parse", "HEAD", cwd=remote.work)
            payload = webhook_example("pull_request", "opened")
            payload["installation"] = {"id": installation.installation_id}
            payload["repository"].update({"id": link.github_id, "full_name": link.full_name})
            payload["pull_request"]["draft"] = False
            payload["pull_request"]["head"].update({"sha": head, "ref": "feature/list"})
            payload["pull_request"]["base"]["ref"] = link.repository.branch
            assert deliver(Client(), "pull_request", payload).json()["status"] == "queued"
            run = PullRequestAudit.objects.get(head_sha=head)
            page.goto(reverse("reports:audit", args=[run.audit_id]))
            expect(page.get_by_text(f"Pull request #{payload['number']}", exact=False)).to_be_visible()
            expect(page.get_by_text("compared with", exact=False)).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "github-pull-request-audit.png"), full_page=True)
            page.locator(".audit-head").screenshot(path=str(ARTIFACTS / "github-pull-request-audit-head.png"))
            context.close()
            browser.close()
        finally:
            # Inside sync_playwright (an event loop in this thread) Django hands out connections of
            # their own: left open, one outlives the test and blocks the test database's drop.
            connections.close_all()
    assert os.path.getsize(ARTIFACTS / "github-pull-request-audit.png") > 0
