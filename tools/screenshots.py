"""Screenshots of the seeded demo's main pages, for the README (`make screenshots`).

Builds a throw-away database, seeds the demo (one audit of examples/demo-convex-app), serves
the site with `manage.py runserver` on a free port, signs in as the demo user and photographs
each page with Playwright in Debian's Chromium. `--repo NAME=PATH` also connects and audits a
local folder (a real app, say) and photographs its pages; `--width` picks the viewports.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("AUDITOR_CHROMIUM", "/usr/bin/chromium"))
PAGES = (
    ("projects", "/projects/"),
    ("findings", "/audits/{audit}/"),
    ("schema", "/audits/{audit}/schema/"),
    ("indexes", "/audits/{audit}/indexes/"),
    ("endpoints", "/audits/{audit}/endpoints/"),
    ("history", "/projects/{repository}/history/"),
    ("rules", "/rules/"),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(workdir: Path, repos: list[tuple[str, Path]]) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "AUDITOR_CLONE_DIR": str(workdir / "clones"),
        "AUDITOR_DEMO_REPOS_DIR": str(workdir / "demo-repos"),
        "AUDITOR_ALLOW_LOCAL_REPOS": "1",
        "DEBUG": "1",
        "REDIS_URL": "",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "auditor.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo")
    from projects.management.commands.seed_demo import build_demo_remote
    from projects.models import Audit, Repository
    from projects.tasks import audit_repository

    demo = Repository.objects.get()
    for name, path in repos:
        remote = workdir / "remotes" / f"{name.replace('/', '+')}.git"
        build_demo_remote(remote, path, message=f"{name} as found")
        repository = Repository.objects.create(team=demo.team, name=name, url=str(remote), branch="main",
                                               created_by=demo.created_by)
        audit = Audit.objects.create(repository=repository, trigger=Audit.Trigger.MANUAL, branch="main")
        audit_repository(repository.pk, Audit.Trigger.MANUAL, False, audit_id=audit.pk)
        audit.refresh_from_db()
        print(f"{name}: audit #{audit.pk} {audit.state} {audit.failure_reason}")
    return env


def shoot(base: str, out: Path, widths: list[int], full_page: bool) -> None:
    from playwright.sync_api import sync_playwright

    from projects.models import Repository

    repositories = [(r.name, r.pk, r.last_audit_id) for r in Repository.objects.order_by("pk")]
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        for width in widths:
            context = browser.new_context(viewport={"width": width, "height": 900}, base_url=base)
            page = context.new_page()
            page.goto("/accounts/login/")
            if width == widths[0]:
                page.screenshot(path=str(out / "sign-in.png"))
            page.fill("input[name=login]", "demo@example.com")
            page.fill("input[name=password]", "convex-auditor-demo")
            page.locator("main form button[type=submit]").last.click()
            page.wait_for_load_state()
            for index, (name, repository, audit) in enumerate(repositories):
                for label, path in PAGES:
                    if index and label in ("projects", "rules"):
                        continue
                    url = path.format(audit=audit, repository=repository)
                    response = page.goto(url)
                    if response is None or response.status != 200:
                        raise SystemExit(f"{url} answered {response and response.status}, not 200")
                    page.wait_for_load_state("networkidle")
                    suffix = "" if len(widths) == 1 else f"-{width}"
                    prefix = "" if not index else name.replace("/", "+") + "-"
                    page.screenshot(path=str(out / f"{prefix}{label}{suffix}.png"), full_page=full_page)
            context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--repo", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--width", action="append", type=int, metavar="PX")
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--serve", action="store_true", help="keep serving afterwards, until interrupted")
    args = parser.parse_args()
    repos = [(spec.split("=", 1)[0], Path(spec.split("=", 1)[1]).resolve()) for spec in args.repo]
    with tempfile.TemporaryDirectory(prefix="auditor-screens-") as tmp:
        env = prepare(Path(tmp), repos)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/accounts/login/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            shoot(base, args.out, args.width or [1400], args.full_page)
            if args.serve:
                print(f"Serving {base} (demo@example.com / convex-auditor-demo); Ctrl-C stops.", flush=True)
                server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.terminate()
            server.wait(10)
    print(f"Screenshots in {args.out}")


if __name__ == "__main__":
    main()
