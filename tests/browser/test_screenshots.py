"""`make screenshots`: tools/screenshots.py photographs the seeded demo's pages the README shows."""

from __future__ import annotations

import importlib.util
import os
import re
import struct
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.test_walkthrough import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "tools" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", header[16:24])


def test_it_takes_every_readme_screenshot_from_the_seeded_demo(live_server, settings, tmp_path, allow_local_repos,
                                                              monkeypatch):
    readme = (ROOT / "README.md").read_text()
    shown = re.findall(r"\]\(docs/screenshots/([\w.+-]+\.png)\)", readme)
    assert len(shown) >= 8, "the README shows the main pages"
    assert re.search(r"^screenshots:.*\n\t.*tools/screenshots\.py --out docs/screenshots$",
                     (ROOT / "Makefile").read_text(), re.M)
    assert sorted(p.name for p in (ROOT / "docs" / "screenshots").glob("*.png")) == sorted(shown)

    settings.AUDITOR_DEMO_REPOS_DIR = tmp_path / "demo-repos"
    monkeypatch.delenv("DEMO_EMAIL", raising=False)
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setenv("AUDITOR_CHROMIUM", str(CHROMIUM))
    out = tmp_path / "shots"
    _tool().shoot(live_server.url, out, [1400], False)
    for name in shown:
        assert (out / name).is_file(), f"make screenshots no longer takes {name}"
        assert _png_size(out / name) == (1400, 900)
