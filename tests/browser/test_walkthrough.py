"""A walk through the site in Debian's Chromium: sign in as the demo user, connect a repository,
run an audit, and open its findings, schema map, endpoints and history. Screenshots go to
test-artifacts/.

Celery runs eagerly here, so an audit queued by a request runs in the live server's thread as
soon as that request's transaction commits; the page still shows it through the htmx progress.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.automation import eager_celery as inline_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path(os.environ.get("AUDITOR_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "convex-auditor-demo"

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install chromium); under CI this test runs and fails instead",
        allow_module_level=True,
    )


@pytest.fixture
def eager_celery():
    with inline_tasks():
        yield


@pytest.fixture
def demo(settings, tmp_path, eager_celery, monkeypatch, allow_local_repos):
    settings.AUDITOR_DEMO_REPOS_DIR = tmp_path / "demo-repos"
    monkeypatch.delenv("DEMO_EMAIL", raising=False)
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # Playwright's sync API runs an event loop in this thread; the ORM calls above are done.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(live_server, demo):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        # A script, style or handler the Content-Security-Policy blocked is an error too.
        page.on(
            "console",
            lambda message: errors.append(message.text) if "Content Security Policy" in message.text else None,
        )
        page.js_errors = errors  # type: ignore[attr-defined]
        yield page
        context.close()
        browser.close()


def repository_id(row) -> str:
    return (row.get_attribute("id") or "").removeprefix("repo-")


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_it_walks_from_sign_in_to_an_audit_and_its_pages(page, local_remote):
    from playwright.sync_api import expect

    # Sign in as the demo user.
    page.goto("/accounts/login/")
    page.fill("input[name=login]", DEMO_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url

    # Connect a repository: a local git repository made for this test.
    page.goto("/repositories/add/")
    page.fill("input[name=url]", local_remote.url)
    page.fill("input[name=branch]", "main")
    page.fill("input[name=name]", "acme/walkthrough")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()

    # A new commit, so the audit started from the projects page analyses it afresh.
    shutil.copy(local_remote.work / "convex" / "messages.ts", local_remote.work / "convex" / "copy.ts")
    sha = local_remote.commit("Copy the messages module")
    page.goto("/projects/")
    row = page.locator("tr", has_text="acme/walkthrough")
    expect(row).to_be_visible()
    with page.expect_response(lambda response: response.url.endswith(f"/projects/{repository_id(row)}/run/")):
        row.get_by_role("button", name="Run audit").click()
    # htmx polls the progress until the audit is done, then reloads the page with the new result.
    progress = row.locator(".progress")
    expect(progress).to_contain_text(sha[:7], timeout=60_000)
    expect(progress).to_have_attribute("data-state", "done")
    expect(row.locator("svg.sparkline circle")).to_have_count(1)
    shot(page, "01-projects")

    # Findings of that audit.
    progress.get_by_role("link").first.click()
    page.wait_for_load_state()
    expect(page.locator("section.group").first).to_be_visible()
    expect(page.locator("nav.tabs a.active")).to_have_text("Findings")
    first_row = page.locator("li.loc-row details").first
    first_row.locator("summary").click()
    expect(first_row.locator("pre.code .ln.hit")).to_be_visible()
    shot(page, "02-findings")
    page.select_option("select[name=severity]", "error")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_load_state()
    assert "severity=error" in page.url
    for severity in page.locator("li.loc-row summary .sev").all_inner_texts():
        assert severity == "error"

    # Schema map, with the Mermaid diagram rendered to SVG.
    page.get_by_role("link", name="Schema map").click()
    expect(page.locator("body")).to_have_attribute("data-diagram", "ready")
    expect(page.locator("#schema-diagram svg")).to_be_visible()
    expect(page.locator("#table-messages")).to_be_visible()
    shot(page, "03-schema")

    page.get_by_role("link", name="Index map").click()
    expect(page.get_by_role("heading", name="Unused indexes")).to_be_visible()
    shot(page, "04-index-map")

    # Endpoints: routes and functions.
    page.get_by_role("link", name="Endpoints").click()
    expect(page.locator("table.routes")).to_contain_text("/messages")
    expect(page.locator("table.functions")).to_contain_text("messages:send")
    shot(page, "05-endpoints")

    # History: two audits of this repository, a chart and their diff.
    page.get_by_role("link", name="History").click()
    expect(page.locator("body")).to_have_attribute("data-chart", "ready")
    expect(page.locator("#diff")).to_contain_text("New findings")
    expect(page.locator("#diff")).to_contain_text("copy:send")
    shot(page, "06-history")

    # The rule catalog, and an API token used against the API.
    page.get_by_role("link", name="Rules").first.click()
    expect(page.locator("article.rule").first).to_contain_text("What it flags")
    page.goto("/settings/api-tokens/")
    page.fill("input[name=name]", "walkthrough")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token code").inner_text().strip()
    assert token.startswith("cva_")
    shot(page, "07-api-token")
    response = page.request.get("/api/v1/projects/", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    assert "acme/walkthrough" in [project["name"] for project in response.json()["results"]]

    assert page.js_errors == []  # type: ignore[attr-defined]
