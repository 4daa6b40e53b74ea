"""The connect form in Chromium: a monorepo's Convex folder, found below the root, is filled in and named."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.test_walkthrough import ARTIFACTS, DEMO_EMAIL, DEMO_PASSWORD, demo, eager_celery, page, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["demo", "eager_celery", "page"]  # fixtures this module uses


def test_it_suggests_a_monorepos_convex_folder_in_the_connect_form(page, local_remote):
    from playwright.sync_api import expect

    shutil.copytree(local_remote.work / "convex", local_remote.work / "packages" / "backend" / "convex")
    local_remote.write("packages/backend/package.json", '{"dependencies": {"convex": "^1.17.0"}}')
    local_remote.remove("convex")
    local_remote.commit("Monorepo layout")

    page.goto("/accounts/login/")
    page.fill("input[name=login]", DEMO_EMAIL)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto("/repositories/add/")
    page.fill("input[name=url]", local_remote.url)
    page.fill("input[name=name]", "acme/monorepo")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()

    expect(page.get_by_text("packages/backend/convex/ looks like it. Submit again to use it.")).to_be_visible()
    expect(page.locator("input[name=convex_dir]")).to_have_value("packages/backend/convex")
    ARTIFACTS.mkdir(exist_ok=True)
    shot(page, "connect-suggests-convex-folder")

    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "/repositories/add/" not in page.url
