"""`manage.py seed_demo`: a demo user, team and audited project, on an empty database only."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from projects.models import Audit, Repository
from teams.models import Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_dirs(settings, tmp_path):
    settings.AUDITOR_DEMO_REPOS_DIR = tmp_path / "demo-repos"
    settings.AUDITOR_CLONE_DIR = tmp_path / "clones"
    settings.AUDITOR_ALLOW_LOCAL_REPOS = True
    return settings


def test_it_seeds_a_demo_user_team_and_audited_project(demo_dirs, monkeypatch, client):
    monkeypatch.setenv("DEMO_EMAIL", "Demo@Example.org")
    monkeypatch.setenv("DEMO_PASSWORD", "s3cret-demo-pass")
    out = StringIO()
    call_command("seed_demo", stdout=out)
    user = User.objects.get()
    assert user.email == "demo@example.org"
    membership = Membership.objects.get(user=user)
    assert membership.role == Role.OWNER
    repository = Repository.objects.get(team=membership.team)
    audit = repository.audits.get()
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert audit.commit_message == "Demo chat app on Convex"
    assert repository.last_audit == audit
    assert "demo@example.org / s3cret-demo-pass" in out.getvalue()
    assert client.login(email="demo@example.org", password="s3cret-demo-pass")


def test_it_leaves_a_database_with_users_alone(demo_dirs):
    UserFactory()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "not seeding" in out.getvalue()
    assert not Repository.objects.exists()
