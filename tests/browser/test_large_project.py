"""A generated project the size of a real one, in Debian's Chromium: 24 tables spread into the
schema from several modules, functions with arguments named `items` and `keys`, HTTP routes and
a frontend. It is connected through the form, audited, and every tab of its audit must answer
200, fit a 1400 px window without horizontal scrolling, and map as many tables as the engine
reports. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.automation import eager_celery as inline_tasks
from tests.browser.test_walkthrough import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.gitrepos import LocalRemote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MODULES = {"accounts": 6, "chat": 6, "billing": 6, "game": 6}  # tables per module: 24 in all
WIDTH = 1400
TABS = ("findings", "schema", "indexes", "endpoints", "history", "rules")


def table_names(module: str, count: int) -> list[str]:
    return [f"{module}{kind}" for kind in ("Items", "Keys", "Values", "Events", "Settings", "Archive")[:count]]


def write_project(remote: LocalRemote) -> list[str]:
    """The project's files; returns the names of the tables it defines."""
    tables: list[str] = []
    remote.write("package.json", json.dumps({"name": "generated", "dependencies": {"convex": "^1.17.0"}}))
    for module, count in MODULES.items():
        names = table_names(module, count)
        tables += names
        body = ",\n".join(
            f"  {name}: defineTable({{ owner: v.id(\"{names[0]}\"), items: v.array(v.string()), "
            f"keys: v.record(v.string(), v.number()), label: v.string() }})"
            f".index(\"by_owner\", [\"owner\"])"
            for name in names
        )
        remote.write(
            f"convex/tables/{module}.ts",
            f'import {{ defineTable }} from "convex/server";\nimport {{ v }} from "convex/values";\n\n'
            f"export const {module}Tables = {{\n{body},\n}};\n",
        )
    imports = "\n".join(f'import {{ {m}Tables }} from "./tables/{m}";' for m in MODULES)
    spreads = "\n".join(f"  ...{m}Tables," for m in MODULES)
    remote.write(
        "convex/schema.ts",
        f'import {{ defineSchema }} from "convex/server";\n{imports}\n\n'
        f"export default defineSchema({{\n{spreads}\n}});\n",
    )
    remote.write(
        "convex/inventory.ts",
        'import { mutation, query } from "./_generated/server";\nimport { v } from "convex/values";\n\n'
        "export const save = mutation({\n"
        "  args: { items: v.array(v.string()), keys: v.array(v.string()), values: v.any() },\n"
        "  handler: async (ctx, { items, keys }) => {\n"
        '    await ctx.db.insert("chatItems", { owner: keys[0] as any, items, keys: {}, label: "x" });\n'
        "  },\n});\n\n"
        "export const list = query({\n"
        "  args: { keys: v.array(v.string()) },\n"
        '  handler: async (ctx) => (await ctx.db.query("chatItems").collect()).filter((row) => row.label),\n'
        "});\n",
    )
    remote.write(
        "convex/http.ts",
        'import { httpRouter } from "convex/server";\nimport { httpAction } from "./_generated/server";\n\n'
        "const http = httpRouter();\n"
        'http.route({ path: "/items", method: "GET", handler: httpAction(async () => new Response("ok")) });\n'
        'http.route({ path: "/keys", method: "POST", handler: httpAction(async () => new Response("ok")) });\n'
        'http.route({ pathPrefix: "/files/", method: "GET", handler: httpAction(async () => new Response("ok")) });\n'
        "export default http;\n",
    )
    remote.write(
        "src/App.tsx",
        'import { useQuery, useMutation } from "convex/react";\nimport { api } from "../convex/_generated/api";\n\n'
        "export function App() {\n"
        "  const rows = useQuery(api.inventory.list, { keys: [] });\n"
        "  const save = useMutation(api.inventory.save);\n"
        '  return <button onClick={() => save({ items: [], keys: [], values: 1 })}>{rows?.length}</button>;\n'
        "}\n",
    )
    remote.commit("A generated project with 24 tables")
    return tables


@pytest.fixture
def browser_page(live_server, settings, tmp_path, monkeypatch, allow_local_repos):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with inline_tasks(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": 900}, base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        context.close()
        browser.close()


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0: no horizontal scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_it_audits_a_large_generated_project_and_shows_every_tab(browser_page, tmp_path):
    from playwright.sync_api import expect

    from auditor.engine import audit_path
    from projects.models import Audit

    page = browser_page
    root = tmp_path / "remote-root"
    root.mkdir()
    remote = LocalRemote(root, source=None)
    tables = write_project(remote)
    engine_tables = audit_path(remote.work).to_dict()["inventory"]["schema"]["tables"]

    user = UserFactory(email="large@example.com")
    MembershipFactory(user=user, role="owner")
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()

    page.goto("/repositories/add/")
    page.fill("input[name=url]", remote.url)
    page.fill("input[name=name]", "acme/generated")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    audit = Audit.objects.get(repository__name="acme/generated")
    assert audit.state == Audit.State.DONE, audit.failure_reason

    urls = {
        "findings": f"/audits/{audit.pk}/",
        "schema": f"/audits/{audit.pk}/schema/",
        "indexes": f"/audits/{audit.pk}/indexes/",
        "endpoints": f"/audits/{audit.pk}/endpoints/",
        "history": f"/projects/{audit.repository_id}/history/",
        "rules": "/rules/",
    }
    # Every tab the audit's page links to is opened.
    page.goto(urls["findings"])
    linked = page.locator("nav.tabs a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert set(linked) == set(urls.values()), linked
    problems = []
    for tab in TABS:
        response = page.goto(urls[tab])
        assert response is not None and response.status == 200, (tab, response and response.status)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(ARTIFACTS / f"large-{tab}.png"), full_page=True)
        if overflow(page) > 0:
            problems.append(f"{tab}: {overflow(page)} px wider than the window")
    assert problems == []

    page.goto(urls["schema"])
    expect(page.locator(".tables-grid section.table-card").first).to_be_visible()
    shown = page.locator(".tables-grid section.table-card").count()
    assert shown == len(engine_tables)
    expect(page.locator("main")).to_contain_text(f"{len(engine_tables)} tables")
    # The engine follows the spreads from every module (no table left unread).
    assert sorted(t["name"] for t in engine_tables) == sorted(tables)
    endpoints = page.goto(urls["endpoints"])
    assert endpoints is not None and endpoints.status == 200
    body = page.content()
    assert "items: " in body and "keys: " in body and "/items" in body
    assert os.path.exists(ARTIFACTS / "large-schema.png")
