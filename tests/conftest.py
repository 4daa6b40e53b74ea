"""Fixtures for the Django side: personas, a local git remote, settings for local repositories."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from tests.factories import MembershipFactory, RepositoryFactory, TeamFactory, UserFactory
from tests.gitrepos import LocalRemote


@dataclass
class Personas:
    """One team with a user in each role, plus an outsider who belongs to another team."""

    team: object
    other_team: object
    owner: object
    admin: object
    member: object
    viewer: object
    outsider: object

    def get(self, name: str):
        return getattr(self, name)


PERSONAS = ("owner", "admin", "member", "viewer", "outsider")


@pytest.fixture(autouse=True, scope="session")
def _own_facts_cache(tmp_path_factory):
    """The CLI keeps facts under $XDG_CACHE_HOME: a test run writes its own, never the user's."""
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rendered fragments and sessions of one test must
    not answer in the next (SQLite hands out the same primary keys again)."""
    forget_cached()
    yield


def forget_cached() -> None:
    from django.conf import settings
    from django.core.cache import cache

    if not settings.REDIS_URL:
        cache.clear()
        return
    import redis  # the run's own key prefix only: the same Redis holds the Celery queues

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(match=f"{settings.CACHE_KEY_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture
def personas(db) -> Personas:
    team = TeamFactory(name="Acme")
    other = TeamFactory(name="Globex")
    users = {}
    for role in ("owner", "admin", "member", "viewer"):
        users[role] = MembershipFactory(team=team, role=role, user=UserFactory(email=f"{role}@acme.test")).user
    outsider = MembershipFactory(team=other, role="owner", user=UserFactory(email="outsider@globex.test")).user
    return Personas(team=team, other_team=other, outsider=outsider, **users)


@pytest.fixture
def allow_local_repos(settings, tmp_path):
    settings.AUDITOR_ALLOW_LOCAL_REPOS = True
    settings.AUDITOR_CLONE_DIR = tmp_path / "clones"
    return settings


@pytest.fixture
def local_remote(tmp_path) -> LocalRemote:
    root = tmp_path / "remotes"
    root.mkdir()
    return LocalRemote(root)


@pytest.fixture
def repository(personas, local_remote, allow_local_repos):
    return RepositoryFactory(team=personas.team, name="acme/chat", url=local_remote.url, branch="main")
