"""The copy buttons put the API token, the badge snippet and the webhook secret on the clipboard."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from tests.browser.test_walkthrough import CHROMIUM, CHROMIUM_ARGS, DEMO_EMAIL, DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_copies_the_token_badge_snippet_and_webhook_secret(live_server, settings, tmp_path, allow_local_repos,
                                                              monkeypatch):
    from playwright.sync_api import expect, sync_playwright

    from projects.models import Repository

    settings.AUDITOR_DEMO_REPOS_DIR = tmp_path / "demo-repos"
    monkeypatch.delenv("DEMO_EMAIL", raising=False)
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    repository = Repository.objects.get()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=login]", DEMO_EMAIL)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()

        def copied(button_target: str) -> str:
            page.evaluate("navigator.clipboard.writeText('')")
            button = page.locator(f"button[data-copy-target={button_target}]")
            button.click()
            expect(button).to_have_text("Copied")
            return page.evaluate("navigator.clipboard.readText()")

        page.goto("/settings/api-tokens/")
        page.fill("input[name=name]", "CI")
        page.locator("main form button[type=submit]").first.click()
        token = page.locator("#new-token-value").inner_text()
        assert token.startswith("cva_") and copied("new-token-value") == token

        page.goto(f"/repositories/{repository.pk}/gate/")
        snippet = page.locator("#badge-snippet").inner_text()
        assert snippet.startswith("[![quality gate](") and copied("badge-snippet") == snippet

        page.goto(f"/repositories/{repository.pk}/webhooks/")
        page.get_by_role("button", name="Make this repository's webhook URL and secret").click()
        secret = page.locator("#hook-secret").inner_text()
        assert len(secret) >= 20 and copied("hook-secret") == secret
        context.close()
        browser.close()
