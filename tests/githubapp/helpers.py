"""Personas' GitHub sign-in, and a local git server laid out as GITHUB_GIT_URL/owner/name.git."""

from __future__ import annotations

import shutil
from pathlib import Path

from allauth.socialaccount.models import SocialAccount, SocialToken

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
