"""Real git repositories made in a test's tmp_path: a bare "remote" and a work tree that pushes to it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

DEMO_APP = Path(__file__).resolve().parent.parent / "examples" / "demo-convex-app"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Ada Lovelace",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada Lovelace",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout.strip()


class LocalRemote:
    """`bare` is the remote URL (a local path); `work` is a clone to change and push from."""

    def __init__(self, root: Path, source: Path | None = DEMO_APP, branch: str = "main") -> None:
        self.bare = root / "remote.git"
        self.work = root / "work"
        self.branch = branch
        git("init", "-q", "--bare", f"--initial-branch={branch}", str(self.bare), cwd=root)
        git("init", "-q", f"--initial-branch={branch}", str(self.work), cwd=root)
        if source is not None:
            shutil.copytree(source, self.work, dirs_exist_ok=True)
            self.commit("Initial commit")

    @property
    def url(self) -> str:
        return str(self.bare)

    def write(self, path: str, text: str) -> None:
        target = self.work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)

    def remove(self, path: str) -> None:
        target = self.work / path
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink()

    def commit(self, message: str) -> str:
        git("add", "-A", cwd=self.work)
        git("commit", "-q", "--allow-empty", "-m", message, cwd=self.work)
        git("push", "-q", str(self.bare), f"HEAD:refs/heads/{self.branch}", cwd=self.work)
        return git("rev-parse", "HEAD", cwd=self.work)
