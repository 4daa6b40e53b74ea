"""Seed an empty database with a demo user, team and project, audited once.

The project is examples/demo-convex-app turned into a git repository under var/demo-repos/,
so the demo needs no network; re-auditing it from the worker needs AUDITOR_ALLOW_LOCAL_REPOS
(`make run` sets it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from accounts.models import User
from projects.models import Audit, Repository
from teams.models import Membership, Role, Team

DEMO_APP = Path(settings.BASE_DIR) / "examples" / "demo-convex-app"
DEFAULT_EMAIL = "demo@example.com"
DEFAULT_PASSWORD = "convex-auditor-demo"


def build_demo_remote(target: Path, source: Path = DEMO_APP, message: str = "Demo chat app on Convex") -> None:
    """A bare repository at `target` whose main branch holds `source` (the demo app), in one commit."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Convex Auditor Demo",
        "GIT_AUTHOR_EMAIL": "demo@example.com",
        "GIT_COMMITTER_NAME": "Convex Auditor Demo",
        "GIT_COMMITTER_EMAIL": "demo@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }

    def git(*args: str, cwd: Path) -> None:
        subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)

    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "--bare", "--initial-branch=main", str(target), cwd=target.parent)
    with tempfile.TemporaryDirectory(prefix="demo-convex-app-") as tmp:
        work = Path(tmp) / "work"
        shutil.copytree(source, work, ignore=shutil.ignore_patterns(".git", "node_modules"))
        git("init", "-q", "--initial-branch=main", cwd=work)
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", message, cwd=work)
        git("push", "-q", str(target), "HEAD:refs/heads/main", cwd=work)


class Command(BaseCommand):
    help = "On an empty database: create a demo user, team and project, and audit it once."

    def handle(self, *args, **options) -> None:
        if User.objects.exists() or Team.objects.exists():
            self.stdout.write("The database already has users; not seeding the demo.")
            return
        email = os.environ.get("DEMO_EMAIL", DEFAULT_EMAIL).strip().lower()
        password = os.environ.get("DEMO_PASSWORD", DEFAULT_PASSWORD)
        remote = Path(settings.AUDITOR_DEMO_REPOS_DIR) / "demo-convex-app.git"
        build_demo_remote(remote)

        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password)
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            team = Team.objects.create(name="Demo team")
            Membership.objects.create(team=team, user=user, role=Role.OWNER)
            repository = Repository.objects.create(
                team=team, name="demo/demo-convex-app", url=str(remote), branch="main", created_by=user
            )
            audit = Audit.objects.create(
                repository=repository, trigger=Audit.Trigger.MANUAL, requested_by=user, branch="main"
            )

        from projects.tasks import audit_repository

        if not settings.AUDITOR_ALLOW_LOCAL_REPOS:
            self.stderr.write(
                "AUDITOR_ALLOW_LOCAL_REPOS is off: the demo is audited now, but the worker will refuse to "
                "re-audit its local repository until it is turned on."
            )
        # The demo's remote is a local path we just made, so this one audit may use it regardless.
        with override_settings(AUDITOR_ALLOW_LOCAL_REPOS=True):
            audit_repository(repository.pk, Audit.Trigger.MANUAL, False, audit_id=audit.pk)
        audit.refresh_from_db()
        if audit.state == Audit.State.DONE:
            summary = f"{audit.error_count} errors, {audit.warning_count} warnings, {audit.info_count} info"
        else:
            summary = f"audit {audit.state}: {audit.failure_reason}"
        self.stdout.write(
            self.style.SUCCESS(f"Seeded the demo. Log in as {email} / {password}. Demo project: {summary}.")
        )
