"""Every page in Debian's Chromium, at 1400 px and at 390 px, on the seeded demo and on a generated
project of 60 tables and 300 findings: no horizontal page overflow and no console error. axe-core
(pinned in tools/axe, installed by `make axe-tools`) finds no serious or critical violation on the
dashboard, findings, schema map, rules and sign-in pages.

Screenshots of each page go to test-artifacts/pages/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.test_walkthrough import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DEMO_EMAIL, DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1400, 390)
# The pages axe checks, by the name the page list gives them.
AXE_PAGES = ("projects", "findings", "schema", "rules", "sign-in")
SIGNED_OUT = "signed-out:"  # the prefix of the pages visited before signing in
# Full-page screenshots of longer pages are cut here (they are artifacts to look at; the checks
# measure the whole page).
SHOT_HEIGHT = 10_000


@pytest.fixture
def site(settings, tmp_path, allow_local_repos, monkeypatch):
    """The seeded demo plus a generated big project in the demo's team; the pages to visit."""
    from notifications.models import DigestSubscription
    from projects.models import Finding, Repository
    from tests.factories import AuditFactory, InvitationFactory, TeamFactory
    from tests.reportdata import make_big_audit

    settings.AUDITOR_DEMO_REPOS_DIR = tmp_path / "demo-repos"
    monkeypatch.delenv("DEMO_EMAIL", raising=False)
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    demo = Repository.objects.get()
    big = Repository.objects.create(team=demo.team, name="acme/very-large-organization-management-platform",
                                    url="https://github.com/acme/very-large-organization-management-platform.git",
                                    branch="main", created_by=demo.created_by)
    for _ in range(3):  # history: quiet scheduled runs to fold
        AuditFactory(repository=big, trigger="schedule")
    big_audit = make_big_audit(big)
    finding = Finding.objects.filter(audit=demo.last_audit).first()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    pages = {
        "projects": "/projects/",
        "teams": "/teams/",
        "members": f"/teams/{demo.team_id}/members/",
        "digests": "/notifications/",
        "rules": "/rules/",
        "api-tokens": "/settings/api-tokens/",
        "api-docs": "/api/v1/docs/",
        "api-interactive": "/api/v1/docs/interactive/",
        "connect": "/repositories/add/",
    }
    for label, repository, audit in (("demo", demo, demo.last_audit), ("big", big, big_audit)):
        pages.update({
            f"{label}-findings": f"/audits/{audit.pk}/",
            f"{label}-findings-by-file": f"/audits/{audit.pk}/?group=file&sort=newest",
            f"{label}-findings-flat": f"/audits/{audit.pk}/?group=none&state=all",
            f"{label}-schema": f"/audits/{audit.pk}/schema/",
            f"{label}-indexes": f"/audits/{audit.pk}/indexes/",
            f"{label}-endpoints": f"/audits/{audit.pk}/endpoints/",
            f"{label}-history": f"/projects/{repository.pk}/history/",
            f"{label}-settings": f"/repositories/{repository.pk}/settings/",
            f"{label}-rule-profile": f"/repositories/{repository.pk}/rules/",
            f"{label}-gate": f"/repositories/{repository.pk}/gate/",
            f"{label}-ignore-rules": f"/repositories/{repository.pk}/ignore-rules/",
            f"{label}-webhooks": f"/repositories/{repository.pk}/webhooks/",
            f"{label}-schedule": f"/repositories/{repository.pk}/schedule/",
        })
    pages["finding-triage"] = f"/findings/{finding.pk}/triage/"
    # An audit still running and one that failed, on the big project.
    running = AuditFactory(repository=big, state="running", finished_at=None, health_score=None)
    failed = AuditFactory(repository=big, state="failed", health_score=None,
                          failure_reason="git clone failed: repository https://github.com/acme/"
                                         "very-large-organization-management-platform.git not found")
    pages.update({"audit-running": f"/audits/{running.pk}/", "audit-failed": f"/audits/{failed.pk}/"})
    # The account, digest, invitation and unsubscribe pages.
    other_team = TeamFactory(name="Another team with a rather long name for a phone")
    invitation = InvitationFactory(team=other_team, email=DEMO_EMAIL)
    subscription = DigestSubscription.objects.create(user=demo.created_by, team=demo.team)
    pages.update({
        "account-email": "/accounts/email/",
        "password-change": "/accounts/password/change/",
        "digests-team": f"/notifications/teams/{demo.team_id}/",
        "invitation": f"/teams/invitation/{invitation.make_token()}/",
        "unsubscribe": f"/notifications/unsubscribe/{subscription.unsubscribe_token()}/",
    })
    # Pages seen signed out: visited before signing in.
    pages.update({
        f"{SIGNED_OUT}sign-in": "/accounts/login/",
        f"{SIGNED_OUT}sign-up": "/accounts/signup/",
        f"{SIGNED_OUT}password-reset": "/accounts/password/reset/",
        f"{SIGNED_OUT}password-reset-done": "/accounts/password/reset/done/",
        f"{SIGNED_OUT}invitation": f"/teams/invitation/{invitation.make_token()}/",
    })
    return pages


def _browser(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def _open(playwright, base_url: str, width: int = 1400):
    """Chromium, a context at ``width`` px on ``base_url``, its page, and the page's errors as they come."""
    browser = _browser(playwright)
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return browser, context, page, _watch(page)


def _watch(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def _sign_in(page) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", DEMO_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url


def _overflow(page) -> str:
    """'' when the page fits its viewport; else what sticks out."""
    return page.evaluate("""() => {
        if (document.documentElement.scrollWidth <= innerWidth) return "";
        const wide = [];
        for (const el of document.querySelectorAll("body *")) {
            const box = el.getBoundingClientRect();
            const name = `${el.tagName.toLowerCase()}.${el.className}`;
            if (box.right > innerWidth + 1) wide.push(`${name} (${Math.round(box.right)}px)`);
        }
        return `scrollWidth ${document.documentElement.scrollWidth} > ${innerWidth}: ` + wide.slice(0, 6).join(", ");
    }""")


def _split_words(page) -> list[str]:
    """The table headers in which a word is broken across lines (a column too narrow for its name)."""
    return page.evaluate("""() => {
        const broken = [];
        for (const th of document.querySelectorAll("th")) {
            const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const match of node.data.matchAll(/\\S+/g)) {
                    const range = document.createRange();
                    range.setStart(node, match.index);
                    range.setEnd(node, match.index + match[0].length);
                    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                    if (lines.size > 1) broken.push(th.textContent.trim());
                }
            }
        }
        return broken;
    }""")


def _cut_line_numbers(page) -> list[str]:
    """The locations (path:line) whose line number is cut off: the path may be, the line not."""
    return page.evaluate("""() => {
        const cut = [];
        for (const line of document.querySelectorAll(".loc-line")) {
            const loc = line.closest(".loc"), cell = line.closest("td, summary") || loc;
            const box = line.getBoundingClientRect();
            if (!box.width) continue;  // folded away
            const right = Math.min(loc.getBoundingClientRect().right, cell.getBoundingClientRect().right);
            if (box.right > right + 1) cut.push(loc.title);
        }
        return cut;
    }""")


def _overlapping_cards(page) -> list[str]:
    """The schema map's table cards that overlap another card, or whose content sticks out."""
    return page.evaluate("""() => {
        const cards = [...document.querySelectorAll(".table-card")];
        const boxes = cards.map(card => card.getBoundingClientRect());
        const problems = [];
        boxes.forEach((a, i) => {
            for (let j = i + 1; j < boxes.length; j++) {
                const b = boxes[j];
                if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
                    problems.push(`${cards[i].id} overlaps ${cards[j].id}`);
            }
            for (const el of cards[i].querySelectorAll("*")) {
                const box = el.getBoundingClientRect();
                if (box.width && box.right > a.right + 1) {
                    problems.push(`${el.tagName.toLowerCase()} sticks out of ${cards[i].id}`);
                    break;
                }
            }
        });
        return problems;
    }""")


def _axe(page) -> list[str]:
    page.evaluate(AXE.read_text())
    result = page.evaluate("""async () => {
        const found = await axe.run(document, { resultTypes: ["violations"] });
        return found.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.impact} ${v.id}: ${v.help} (${
                v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; ")})`);
    }""")
    return list(result)


def _visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
    page.wait_for_load_state("networkidle")
    if "/schema/" in path:
        page.wait_for_function("['ready', 'failed'].includes(document.body.dataset.diagram)")
    if "/history/" in path:  # Chart.js drew both charts
        page.wait_for_function("document.body.dataset.chart === 'ready'")


def _shoot(page, path: Path, full_page: bool) -> None:
    height = page.evaluate("document.documentElement.scrollHeight") if full_page else 0
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": min(height, SHOT_HEIGHT)}
    page.screenshot(path=str(path), full_page=full_page, clip=clip if full_page else None)


@pytest.mark.parametrize("width", WIDTHS)
def test_it_fits_every_page_in_the_viewport_without_console_errors(live_server, site, width):
    from playwright.sync_api import sync_playwright

    assert AXE.is_file(), f"{AXE} is missing: run `make axe-tools` (make test does)"
    shots = ARTIFACTS / "pages"
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser, context, page, errors = _open(playwright, live_server.url, width)
        # Signed out first: the sign-in pages.
        for label, path in site.items():
            if not label.startswith(SIGNED_OUT):
                continue
            label = label.removeprefix(SIGNED_OUT)
            _visit(page, path)
            if overflow := _overflow(page):
                problems.append(f"{label} at {width}px: {overflow}")
            if label in AXE_PAGES and width == WIDTHS[0]:
                problems += [f"{label}: {violation}" for violation in _axe(page)]
            _shoot(page, shots / f"signed-out-{label}-{width}.png", full_page=True)
        _sign_in(page)
        for label, path in site.items():
            if label.startswith(SIGNED_OUT):
                continue
            _visit(page, path)
            if overflow := _overflow(page):
                problems.append(f"{label} at {width}px: {overflow}")
            problems += [f"{label} at {width}px: header word broken: {th!r}" for th in _split_words(page)]
            problems += [f"{label} at {width}px: line number cut: {loc}" for loc in _cut_line_numbers(page)[:3]]
            problems += [f"{label} at {width}px: {card}" for card in _overlapping_cards(page)[:3]]
            axe_name = label.removeprefix("demo-").removeprefix("big-")
            if axe_name in AXE_PAGES and width == WIDTHS[0] and label in (axe_name, f"demo-{axe_name}",
                                                                          f"big-{axe_name}"):
                problems += [f"{label}: {violation}" for violation in _axe(page)]
            _shoot(page, shots / f"{label}-{width}.png", full_page=width == WIDTHS[1])
        problems += [f"console at {width}px: {error}" for error in errors]
        context.close()
        browser.close()
    assert not problems, "\n".join(problems)


def _diagram_text_px(page) -> float:
    """The median height on screen of the diagram's labels (SVG text or Mermaid's HTML labels)."""
    return page.evaluate("""() => {
        const heights = [...document.querySelectorAll(
            "#schema-diagram svg text, #schema-diagram svg foreignObject span")]
            .map(el => el.getBoundingClientRect().height).filter(h => h > 0).sort((a, b) => a - b);
        return heights.length ? heights[Math.floor(heights.length / 2)] : 0;
    }""")


def _focus_in_view(page, table: str) -> bool:
    """Whether the drawing of `table` lies in the diagram's view."""
    return page.evaluate("""(table) => {
        const node = document.querySelector(`#schema-diagram g.node[id*='-entity-${table}-']`);
        if (!node) return false;
        const box = node.getBoundingClientRect(), view = document.getElementById("diagram-viewport")
            .getBoundingClientRect();
        const x = box.left + box.width / 2, y = box.top + Math.min(box.height, 40) / 2;
        return x > view.left && x < view.right && y > view.top && y < view.bottom;
    }""", table)


def test_it_pans_zooms_and_focuses_the_diagram_of_a_60_table_schema(live_server, site):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser, context, page, errors = _open(playwright, live_server.url)
        _sign_in(page)
        _visit(page, site["big-schema"])
        body = page.locator("body")
        expect(body).to_have_attribute("data-diagram", "ready")
        # 60 tables open on the most referenced one and its neighbours, legible rather than tiny.
        focus = body.get_attribute("data-diagram-focus")
        assert focus, "a big schema opens focused on one table"
        assert page.locator("#diagram-focus").input_value() == focus
        svg = page.locator("#schema-diagram svg")
        shown = svg.locator("g.node[id*='-entity-']").count()
        assert 1 < shown < 60
        # Its text is legible, and the focused table is in view (a drawing bigger than the view
        # opens on it, not on its top left corner).
        assert _diagram_text_px(page) >= 12
        assert _focus_in_view(page, focus)
        # Zoom in and pan: the drawing's transform follows.
        before = svg.evaluate("el => el.style.transform")
        page.get_by_role("button", name="Zoom in").click()
        box = page.locator("#diagram-viewport").bounding_box()
        page.mouse.move(box["x"] + 200, box["y"] + 200)
        page.mouse.down()
        page.mouse.move(box["x"] + 80, box["y"] + 120, steps=4)
        page.mouse.up()
        after = svg.evaluate("el => el.style.transform")
        assert after != before and "scale(" in after
        # Focus another table from its card, then show everything.
        page.locator("[data-focus-table='table1']").click()
        expect(body).to_have_attribute("data-diagram-focus", "table1")
        page.select_option("#diagram-focus", "")
        expect(body).to_have_attribute("data-diagram-focus", "")
        assert page.locator("#schema-diagram svg").evaluate("el => el.getBBox().width") > 0
        # The whole 60-table drawing is legible too: panned, not shrunk to a thumbnail.
        assert _diagram_text_px(page) >= 12
        page.get_by_role("button", name="Fit").click()
        assert _diagram_text_px(page) >= 12
        page.screenshot(path=str(ARTIFACTS / "pages" / "big-schema-all.png"))
        assert errors == []
        context.close()
        browser.close()


def test_it_triages_a_whole_group_from_the_findings_page(live_server, site):
    from playwright.sync_api import expect, sync_playwright

    from triage.models import TriageDecision

    with sync_playwright() as playwright:
        browser, context, page, errors = _open(playwright, live_server.url)
        _sign_in(page)
        _visit(page, site["big-findings"])
        group = page.locator("section.group").first
        count = int(group.locator(".count").inner_text())
        group.locator("input.pick-group").check()
        expect(page.locator("#bulk-count")).to_have_text(f"{count} findings selected")
        page.select_option("#bulk-triage select[name=state]", "accepted_risk")
        page.fill("#bulk-triage input[name=comment]", "Reviewed together")
        page.get_by_role("button", name="Apply to selected").click()
        page.wait_for_load_state()
        expect(page.locator(".messages")).to_contain_text(f"Marked {count} findings as accepted risk")
        assert TriageDecision.objects.filter(state="accepted_risk", comment="Reviewed together").count() == count
        assert errors == []
        context.close()
        browser.close()


def test_it_lays_the_schema_map_out_without_overlap_at_any_width(live_server, site):
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser, context, page, errors = _open(playwright, live_server.url)
        _sign_in(page)
        for label in ("demo-schema", "big-schema"):
            for width in (390, 480, 600, 768, 900, 1024, 1280, 1600, 1920):
                page.set_viewport_size({"width": width, "height": 900})
                _visit(page, site[label])
                problems += [f"{label} at {width}px: {card}" for card in _overlapping_cards(page)[:3]]
                if overflow := _overflow(page):
                    problems.append(f"{label} at {width}px: {overflow}")
        problems += errors
        context.close()
        browser.close()
    assert not problems, "\n".join(problems)
