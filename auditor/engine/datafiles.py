"""Data files the audit reads as text, not code: JSON sample data, seeds and fixtures.

Apps commit sample data as ``.json`` (``seed/products.json``, ``data/messages.json``), and that
data often holds what an earlier ``ctx.storage.getUrl`` answered: the URL of one stored file on
one deployment. ``storage/copied-file-url`` reads the storage URLs found here.

The files read are those discovery would read if they were code: no folder of
``discovery.EXCLUDED_DIRS`` or hidden folder, nothing under ``_generated/``, nothing over 1 MB
(``discovery.MAX_FILE_BYTES``), and nothing ``.gitignore`` keeps out (asked of git in a work tree,
else read from the repository's ``.gitignore`` files by ``repofiles.GitIgnore``), since an ignored
file is a local or built one, not the repository's data. Only strings holding a Convex host and a
storage path are kept, with their place in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from auditor.engine import safefiles
from auditor.engine.discovery import EXCLUDED_DIRS, MAX_FILE_BYTES
from auditor.engine.model import Location, StringFact
from auditor.engine.repofiles import GitIgnore, RepositoryFiles, ignored_by_git

DATA_SUFFIXES = (".json",)
MAX_DATA_FILES = 20_000
# A JSON string that holds a Convex host followed by a storage path somewhere inside it.
_STORAGE_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*?\.convex\.(?:cloud|site)(?::\d+)?/(?:api/)?storage/'
                             r'(?:[^"\\\n]|\\.)*)"')


@dataclass(frozen=True, slots=True)
class DataFile:
    """A data file holding Convex storage URLs: its text and each such string."""

    path: str  # relative to the root, "/"-separated
    source: str
    strings: tuple[StringFact, ...] = ()


def _candidates(root: Path) -> list[str]:
    found: list[str] = []
    # Links are never followed: the reading stays inside the checked-out tree.
    for directory, dirnames, filenames, links in safefiles.walk(root):
        dirnames[:] = sorted(name for name in dirnames if name not in EXCLUDED_DIRS and not name.startswith("."))
        base = Path(directory)
        for name in sorted(filenames):
            if not name.endswith(DATA_SUFFIXES):
                continue
            if name in links:
                continue
            found.append((base / name).relative_to(root).as_posix())
            if len(found) >= MAX_DATA_FILES:
                return found
    return found


def _not_ignored(root: Path, paths: list[str], repository: RepositoryFiles | None) -> list[str]:
    if repository is not None and repository.source == "git":
        tracked = set(repository.tracked)
        untracked = [path for path in paths if path not in tracked]
        ignored = ignored_by_git(root, untracked)
        if ignored is not None:
            return [path for path in paths if path not in ignored]
    gitignores = repository.gitignore_files if repository is not None else []
    ignore = GitIgnore.from_files(root, gitignores)
    return [path for path in paths if not ignore.ignored(path)]


def _storage_strings(path: str, text: str) -> tuple[StringFact, ...]:
    strings: list[StringFact] = []
    for match in _STORAGE_STRING.finditer(text):
        start = match.start()
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1)
        value = match.group(1)
        loc = Location(path, line, column, line, column + len(match.group(0)))
        strings.append(StringFact(value=value, loc=loc, parts=(("text", value),)))
    return tuple(strings)


def read_data_files(root: Path, repository: RepositoryFiles | None,
                    leave_out: frozenset[str] = frozenset()) -> list[DataFile]:
    """The data files under root that hold at least one Convex storage URL, but those in
    ``leave_out`` (paths relative to the root: the auditor's own report, say)."""
    root = safefiles.resolve(root)
    found: list[DataFile] = []
    candidates = [path for path in _candidates(root) if path not in leave_out]
    for path in _not_ignored(root, candidates, repository):
        absolute = root / path
        try:
            if safefiles.size(absolute) > MAX_FILE_BYTES:
                continue
            text = safefiles.read_text(absolute, errors="replace")
        except OSError:
            continue
        if "/storage/" not in text or ".convex." not in text:
            continue
        strings = _storage_strings(path, text)
        if strings:
            found.append(DataFile(path, text, strings))
    return found


__all__ = ["DATA_SUFFIXES", "DataFile", "read_data_files"]
