"""Personas' GitHub sign-in, repositories connected through the App, and a local git server laid out as
GITHUB_GIT_URL/owner/name.git."""

from __future__ import annotations

import shutil
from pathlib import Path

from allauth.socialaccount.models import SocialAccount, SocialToken

from githubapp.models import GitHubRepository, Installation
from tests.factories import RepositoryFactory
from tests.gitrepos import LocalRemote

USER_TOKEN = "gho_user-login-token-for-tests"


def sign_in_with_github(user, token: str = USER_TOKEN) -> SocialToken:
    account = SocialAccount.objects.create(user=user, provider="github", uid=str(user.pk), extra_data={})
    return SocialToken.objects.create(account=account, token=token)


def github_remote(git_root: Path, full_name: str, branch: str) -> LocalRemote:
    """A repository served from `git_root/<full_name>.git`, with the demo app on `branch`."""
    work_root = git_root.parent / f"work-{full_name.replace('/', '-')}"
    work_root.mkdir(parents=True)
    remote = LocalRemote(work_root, branch=branch)
    target = git_root / f"{full_name}.git"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(remote.bare), target)
    remote.bare = target
    return remote


def connect(team, full_name: str, *, installation_id: int, github_id: int = 1296269, **repository) -> GitHubRepository:
    """`full_name`, a repository of `team` (with the factory's fields overridden by `repository`),
    connected through a new installation of the App."""
    installation = Installation.objects.create(installation_id=installation_id, team=team, account_login="octocat")
    return GitHubRepository.objects.create(
        repository=RepositoryFactory(team=team, name=full_name, **repository),
        installation=installation, github_id=github_id, full_name=full_name,
    )
