"""The repository's own files: what git tracks, and what ``.gitignore`` keeps out.

``tracked_files`` asks ``git ls-files -z`` when the root is a git work tree (with a timeout, with
repository hooks and fsmonitor switched off so that nothing from the repository runs), and returns
None otherwise. In a work tree, whether an untracked file is ignored is asked of git itself
(``git check-ignore``, which also reads a parent folder's ``.gitignore``); otherwise
``GitIgnore`` implements the common ``.gitignore`` semantics: blank lines and
``#`` comments, ``!`` negation, a trailing ``/`` for directories only, a leading or inner ``/``
anchoring the pattern to the file's folder, ``*``, ``?``, ``[...]`` and ``**``; the last matching
pattern wins, deeper files override shallower ones, and nothing inside an ignored folder can be
re-included. ``repository_files`` combines both for the rules that look at files, not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from auditor.engine import safefiles

# Folders never worth walking for repository files (installed or built code, VCS data).
SKIPPED_DIRS = frozenset({"node_modules", ".git", ".hg", ".svn", ".next", ".nuxt", ".output", ".svelte-kit",
                          ".vercel", ".turbo", ".expo", ".cache", "dist", "build", "coverage"})
MAX_WALKED_FILES = 200_000
ENV_FILE = re.compile(r"^\.env(?:\.local|\.[^/]+\.local)?$")


def is_env_file(path: str) -> bool:
    """``.env``, ``.env.local`` or ``.env.<anything>.local``, in any folder."""
    return bool(ENV_FILE.match(path.rsplit("/", 1)[-1]))


def _paths(output: bytes) -> list[str]:
    return [path for path in output.decode("utf-8", "surrogateescape").split("\0") if path]


def tracked_files(root: Path) -> list[str] | None:
    """Paths git tracks under root (relative, "/"-separated), or None when root is no git work tree."""
    completed = safefiles.git(root, ["ls-files", "-z"])
    if completed is None or completed.returncode != 0:
        return None
    return _paths(completed.stdout)


def ignored_by_git(root: Path, paths: list[str]) -> set[str] | None:
    """Which of the (untracked) paths git ignores, by all of its rules: every .gitignore up to the
    work tree's top, .git/info/exclude and the user's excludes file. None when git cannot say."""
    if not paths:
        return set()
    stdin = b"\0".join(path.encode("utf-8", "surrogateescape") for path in paths) + b"\0"
    completed = safefiles.git(root, ["check-ignore", "-z", "--stdin"], stdin)
    if completed is None or completed.returncode not in {0, 1}:
        return None
    return set(_paths(completed.stdout))


@dataclass(slots=True)
class _Pattern:
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool
    anchored: bool


def _translate(pattern: str) -> str:
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif char == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 1
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def parse_gitignore(text: str) -> list[_Pattern]:
    patterns: list[_Pattern] = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if not line.endswith("\\ "):
            line = line.rstrip(" \t")
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated or line.startswith("\\!") or line.startswith("\\#"):
            line = line[1:]
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        line = line.lstrip("/")
        regex = re.compile(_translate(line) + r"\Z", re.DOTALL)
        patterns.append(_Pattern(regex, negated, directory_only, anchored))
    return patterns


@dataclass(slots=True)
class GitIgnore:
    """The ``.gitignore`` files of a tree, by folder ("" for the root)."""

    rules: dict[str, list[_Pattern]] = field(default_factory=dict)

    def add(self, folder: str, text: str) -> None:
        self.rules.setdefault(folder.strip("/"), []).extend(parse_gitignore(text))

    @classmethod
    def from_files(cls, root: Path, gitignore_paths: list[str]) -> GitIgnore:
        ignore = cls()
        exclude = root / ".git" / "info" / "exclude"
        for relative, absolute in [("", exclude), *((p, root / p) for p in sorted(gitignore_paths, key=len))]:
            try:
                text = safefiles.read_text(absolute, errors="replace")
            except OSError:
                continue
            folder = relative.rsplit("/", 1)[0] if "/" in relative else ""
            ignore.add(folder, text)
        return ignore

    def _decide(self, path: str, is_dir: bool) -> bool | None:
        decision: bool | None = None
        for folder in self._folders_of(path):
            relative = path[len(folder) + 1:] if folder else path
            name = relative.rsplit("/", 1)[-1]
            for pattern in self.rules.get(folder, ()):
                if pattern.directory_only and not is_dir:
                    continue
                subject = relative if pattern.anchored else name
                if pattern.regex.match(subject):
                    decision = not pattern.negated
        return decision

    def _folders_of(self, path: str) -> list[str]:
        parts = path.split("/")[:-1]
        folders = [""]
        for index in range(len(parts)):
            folders.append("/".join(parts[:index + 1]))
        return [folder for folder in folders if folder in self.rules]

    def ignored(self, path: str, is_dir: bool = False) -> bool:
        """Whether git would ignore ``path`` (relative to the root, "/"-separated)."""
        parts = path.strip("/").split("/")
        for index in range(1, len(parts)):
            if self._decide("/".join(parts[:index]), True):
                return True  # nothing inside an ignored folder comes back
        return bool(self._decide("/".join(parts), is_dir))


@dataclass(slots=True)
class RepositoryFiles:
    """The files rules about the repository itself look at."""

    source: str  # "git" (git ls-files) or "walk" (the file system)
    tracked: list[str] = field(default_factory=list)  # git only
    env_files: list[tuple[str, str]] = field(default_factory=list)  # (path, "tracked" | "not ignored")
    gitignore_files: list[str] = field(default_factory=list)


def _walk(root: Path) -> list[str]:
    """The env and .gitignore files on disk: the only ones the repository rules read."""
    found: list[str] = []
    for directory, dirnames, filenames, _links in safefiles.walk(root):
        dirnames[:] = sorted(name for name in dirnames if name not in SKIPPED_DIRS)
        base = Path(directory)
        for name in filenames:
            if name != ".gitignore" and not ENV_FILE.match(name):
                continue
            found.append((base / name).relative_to(root).as_posix())
            if len(found) >= MAX_WALKED_FILES:
                return found
    return found


def repository_files(root: Path) -> RepositoryFiles:
    root = safefiles.resolve(root)
    tracked = tracked_files(root)
    present = _walk(root)
    gitignores = [path for path in (tracked if tracked is not None else present)
                  if path.rsplit("/", 1)[-1] == ".gitignore"]
    result = RepositoryFiles(source="git" if tracked is not None else "walk", tracked=tracked or [],
                             gitignore_files=gitignores)
    ignore = GitIgnore.from_files(root, gitignores)
    tracked_set = set(tracked or ())
    for path in tracked_set:
        if is_env_file(path):
            result.env_files.append((path, "tracked"))
    untracked = [path for path in present if path not in tracked_set and is_env_file(path)]
    by_git = ignored_by_git(root, untracked) if tracked is not None else None
    for path in untracked:
        ignored = path in by_git if by_git is not None else ignore.ignored(path)
        if not ignored:
            result.env_files.append((path, "not ignored"))
    result.env_files.sort()
    return result


__all__ = ["GitIgnore", "RepositoryFiles", "is_env_file", "parse_gitignore", "repository_files", "tracked_files"]
