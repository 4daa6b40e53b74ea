"""The engine's only door to the audited tree: reading files, listing folders, asking what a path
is, and asking git, each without leaving the tree, and each written in the open journal
(``inputs``) so that a later run can tell whether anything the audit looked at changed.

A repository is hostile input: `package.json` may be a symbolic link to /etc/passwd, `.gitignore`
a FIFO that blocks every reader. `read_bytes` opens with O_NOFOLLOW (a symlink is refused, not
followed) and O_NONBLOCK, and reads only regular files; anything else raises OSError, which
every caller already treats as "unreadable". `walk` never follows a symbolic link to a folder.

Each look is one function that both makes it and checks it again (``OBSERVERS``): what a check
sees is what the audit saw, by construction.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

from auditor.engine import inputs

_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
GIT_TIMEOUT_SECONDS = 20


def _error(error: OSError) -> str:
    return f"error:{error.errno}"


# Files -----------------------------------------------------------------------------------------


def _read(path: Path | str) -> bytes:
    descriptor = os.open(path, _FLAGS)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return handle.read()


def read_bytes(path: Path | str) -> bytes:
    if not inputs.is_recording():
        return _read(path)
    return read_with_digest(path)[0]


def read_with_digest(path: Path | str) -> tuple[bytes, str]:
    """The file's bytes and their digest (``inputs.digest``), which the journal and the facts
    cache's key both use: a source file is hashed once."""
    observation = ("file", os.path.abspath(path))
    try:
        data = _read(path)
    except OSError as error:
        inputs.note(observation, _error(error))
        raise
    found = inputs.digest(data)
    inputs.note(observation, found)
    return data, found


def _observe_file(path: str) -> str:
    try:
        return inputs.digest(_read(path))
    except OSError as error:
        return _error(error)


def read_text(path: Path | str, errors: str = "strict") -> str:
    return read_bytes(path).decode("utf-8", errors)


def decode_source(data: bytes) -> str:
    """Decode file bytes as UTF-8, never failing: bad bytes become U+FFFD, a leading BOM goes."""
    text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


# Paths -----------------------------------------------------------------------------------------


def _kind(path: str) -> str:
    """What the path is, links followed ("file", "dir", "other", "missing"), after "link:" when it
    is a symbolic link itself."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return "missing"
    prefix = ""
    if stat.S_ISLNK(mode):
        prefix = "link:"
        try:
            mode = os.stat(path).st_mode
        except OSError:
            return "link:missing"
    kind = "file" if stat.S_ISREG(mode) else "dir" if stat.S_ISDIR(mode) else "other"
    return prefix + kind


def kind(path: Path | str) -> str:
    path = os.path.abspath(path)
    found = _kind(path)
    inputs.note(("kind", path), found)
    return found


def is_symlink(path: Path | str) -> bool:
    return kind(path).startswith("link:")


def is_file(path: Path | str) -> bool:
    """A regular file, links followed (as ``Path.is_file``)."""
    return kind(path).endswith("file")


def is_dir(path: Path | str) -> bool:
    """A folder, links followed (as ``Path.is_dir``)."""
    return kind(path).endswith("dir")


def _size(path: str) -> str:
    try:
        return str(os.stat(path).st_size)
    except OSError as error:
        return _error(error)


def size(path: Path | str) -> int:
    """The file's size in bytes, links followed; raises OSError as ``os.stat`` does."""
    path = os.path.abspath(path)
    try:
        found = os.stat(path).st_size
    except OSError as error:
        inputs.note(("size", path), _error(error))
        raise
    inputs.note(("size", path), str(found))
    return found


def _real_path(path: str) -> str:
    return os.path.realpath(path)


def resolve(path: Path | str) -> Path:
    """The path with its links followed, absolute (as ``Path.resolve``)."""
    path = os.path.abspath(path)
    found = _real_path(path)
    inputs.note(("resolve", path), found)
    return Path(found)


# Folders ---------------------------------------------------------------------------------------


def _list(directory: str) -> tuple[list[str], list[str], set[str]]:
    """A folder's sub-folders and other entries (as ``os.walk`` splits them, links followed) and
    which of all of them are symbolic links."""
    folders: list[str] = []
    others: list[str] = []
    links: set[str] = set()
    with os.scandir(directory) as entries:
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            (folders if is_folder else others).append(entry.name)
            if entry.is_symlink():
                links.add(entry.name)
    return folders, others, links


def _listing_digest(folders: list[str], others: list[str], links: set[str]) -> str:
    entries = sorted([f"d{'l' if name in links else '-'}{name}" for name in folders]
                     + [f"f{'l' if name in links else '-'}{name}" for name in others])
    return inputs.digest("\0".join(entries).encode("utf-8", "surrogateescape"))


def _observe_listing(directory: str) -> str:
    try:
        return _listing_digest(*_list(directory))
    except OSError as error:
        return _error(error)


def walk(root: Path | str) -> Iterator[tuple[str, list[str], list[str], set[str]]]:
    """``os.walk(root, followlinks=False)``, top down, with each folder's symbolic links as a
    fourth item. As with ``os.walk``, the caller prunes the folders walked by editing the list
    of sub-folders in place, and a folder that cannot be listed is passed over."""
    pending = [os.path.abspath(root)]
    while pending:
        directory = pending.pop()
        observation = ("listing", directory)
        try:
            folders, others, links = _list(directory)
        except OSError as error:
            inputs.note(observation, _error(error))
            continue
        inputs.note(observation, _listing_digest(folders, others, links))
        yield directory, folders, others, links
        pending.extend(os.path.join(directory, name) for name in reversed(folders) if name not in links)


# git -------------------------------------------------------------------------------------------


def _run_git(root: str, arguments: list[str], stdin: bytes | None) -> subprocess.CompletedProcess[bytes] | None:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    environment.update({"GIT_CONFIG_NOSYSTEM": "1", "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"})
    # Nothing configured by the repository may run: no fsmonitor command, no hooks, and a bare
    # repository planted in the tree is not picked up as the work tree's git directory.
    command = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
               "-c", "safe.bareRepository=explicit", *arguments]
    try:
        return subprocess.run(command, cwd=root, env=environment, input=stdin, capture_output=True,
                              timeout=GIT_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):
        return None


def _git_digest(completed: subprocess.CompletedProcess[bytes] | None) -> str:
    if completed is None:
        return "none"
    return inputs.digest(f"{completed.returncode}\0".encode() + completed.stdout)


def _observe_git(root: str, arguments: str, stdin: str) -> str:
    return _git_digest(_run_git(root, arguments.split("\0"), stdin.encode("utf-8", "surrogateescape") or None))


def git(root: Path | str, arguments: list[str],
        stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes] | None:
    """Run a read-only git command in root with repository hooks and fsmonitor off; None if it cannot run."""
    root = os.path.abspath(root)
    completed = _run_git(root, arguments, stdin)
    inputs.note(("git", root, "\0".join(arguments), (stdin or b"").decode("utf-8", "surrogateescape")),
                _git_digest(completed))
    return completed


OBSERVERS: dict[str, Callable[..., str]] = {
    "file": _observe_file,
    "kind": _kind,
    "size": _size,
    "resolve": _real_path,
    "listing": _observe_listing,
    "git": _observe_git,
}

__all__ = ["OBSERVERS", "decode_source", "git", "is_dir", "is_file", "is_symlink", "kind", "read_bytes",
           "read_text", "read_with_digest", "resolve", "size", "walk"]
