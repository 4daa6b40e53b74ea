"""Repository files: git's tracked list, .gitignore semantics, env files found either way."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.engine.repofiles import GitIgnore, is_env_file, repository_files, tracked_files


def _ignore(text: str, folder: str = "") -> GitIgnore:
    ignore = GitIgnore()
    ignore.add(folder, text)
    return ignore


@pytest.mark.parametrize(("name", "expected"), [
    (".env", True), (".env.local", True), (".env.development.local", True), ("apps/web/.env.local", True),
    (".env.example", False), (".env.production", False), ("env.local", False), (".envrc", False),
    (".env.local.example", False),
])
def test_it_recognises_env_files(name: str, expected: bool) -> None:
    assert is_env_file(name) is expected


def test_it_ignores_by_basename_at_any_depth_unless_anchored() -> None:
    ignore = _ignore("# secrets\n.env*.local\n/.env\nlogs/\n")
    assert ignore.ignored(".env.local")
    assert ignore.ignored("apps/web/.env.development.local")
    assert ignore.ignored(".env")
    assert not ignore.ignored("apps/web/.env")  # "/.env" only matches at the root
    assert ignore.ignored("logs/today.txt")  # inside an ignored folder
    assert not ignore.ignored("logs", is_dir=False)  # "logs/" matches folders only


def test_it_applies_negation_last_match_wins_and_never_inside_ignored_folders() -> None:
    ignore = _ignore(".env*\n!.env.example\nsecret/\n!secret/.env\n")
    assert ignore.ignored(".env")
    assert not ignore.ignored(".env.example")
    assert ignore.ignored("secret/.env")  # its folder is ignored: the negation cannot bring it back


def test_it_handles_double_star_and_character_classes() -> None:
    ignore = _ignore("**/config/.env\npackages/**/.env.local\n.env.[ps]*.local\n")
    assert ignore.ignored("a/b/config/.env")
    assert ignore.ignored("config/.env")
    assert ignore.ignored("packages/backend/.env.local")
    assert ignore.ignored("packages/x/y/.env.local")
    assert ignore.ignored(".env.production.local")
    assert not ignore.ignored(".env.development.local")


def test_it_scopes_a_nested_gitignore_to_its_folder(tmp_path: Path) -> None:
    (tmp_path / "apps/web").mkdir(parents=True)
    (tmp_path / "apps/web/.gitignore").write_text(".env.local\n")
    (tmp_path / "apps/web/.env.local").write_text("CLERK_SECRET_KEY=x\n")
    (tmp_path / ".env.local").write_text("CONVEX_DEPLOYMENT=dev:x\n")
    (tmp_path / "node_modules/pkg").mkdir(parents=True)
    (tmp_path / "node_modules/pkg/.env").write_text("X=1\n")
    found = repository_files(tmp_path)
    assert found.source == "walk"
    assert found.env_files == [(".env.local", "not ignored")]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_it_reads_tracked_files_from_git(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=a@b.c", "-c", "user.name=t", *args], cwd=tmp_path, check=True,
                       capture_output=True)

    git("init", "-q")
    (tmp_path / ".gitignore").write_text(".env.local\n")
    (tmp_path / ".env").write_text("OPENAI_API_KEY=x\n")
    (tmp_path / ".env.local").write_text("CONVEX_DEPLOYMENT=dev:x\n")
    (tmp_path / ".env.test.local").write_text("X=1\n")
    git("add", ".gitignore", ".env")
    git("add", "-f", ".env.local")  # forced past .gitignore: tracked all the same
    git("commit", "-qm", "init")
    assert sorted(tracked_files(tmp_path) or []) == [".env", ".env.local", ".gitignore"]
    found = repository_files(tmp_path)
    assert found.source == "git"
    assert found.env_files == [(".env", "tracked"), (".env.local", "tracked"), (".env.test.local", "not ignored")]


def test_it_says_none_outside_a_git_work_tree(tmp_path: Path) -> None:
    assert tracked_files(tmp_path) is None


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_it_asks_git_about_a_parent_gitignore_when_auditing_a_subfolder(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True, capture_output=True)
    (tmp_path / ".gitignore").write_text(".env*.local\n")
    backend = tmp_path / "packages" / "backend"
    backend.mkdir(parents=True)
    (backend / ".env.local").write_text("CONVEX_DEPLOYMENT=dev:x\n")
    (backend / ".env").write_text("X=1\n")
    found = repository_files(backend)
    assert found.source == "git"
    assert found.env_files == [(".env", "not ignored")]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_it_runs_nothing_the_repository_configures(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    marker = tmp_path / "ran"
    subprocess.run(["git", "init", "-q"], cwd=work, check=True, capture_output=True)
    subprocess.run(["git", "config", "core.fsmonitor", f"touch {marker}; echo"], cwd=work, check=True)
    (work / ".env").write_text("X=1\n")
    assert repository_files(work).env_files == [(".env", "not ignored")]
    bare = tmp_path / "planted"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True, capture_output=True)
    subprocess.run(["git", "config", "--file", str(bare / "config"), "core.fsmonitor", f"touch {marker}; echo"],
                   check=True)
    assert tracked_files(bare) is None  # a bare repository in the tree is not taken as a work tree
    assert not marker.exists()
