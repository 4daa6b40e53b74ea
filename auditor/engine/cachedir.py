"""The cache folder the engine keeps between runs, and the SQLite databases in it.

Both caches live there: each file's facts (``factcache``, one database per engine version) and
the last report of each project and set of options (``reportcache``). Kept light, with no
import of the engine's facts, so that a second run that finds its report loads nothing else.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import time
from functools import cache
from pathlib import Path

# How long a write waits for another process's write to the same database.
BUSY_SECONDS = 10.0
# How long to wait before opening again a database SQLite refused at once (see open_database).
OPEN_RETRY_SECONDS = 0.02
NOT_A_DATABASE = frozenset({sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT})
BUSY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})  # primary codes, as extended ones carry them


def default_cache_dir(environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    """``$XDG_CACHE_HOME/convex-audit``, or ``~/.cache/convex-audit`` when that is unset or relative."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says a relative path is invalid and must be ignored.
    root = Path(base) if base and Path(base).is_absolute() else Path(environ.get("HOME") or Path.home()) / ".cache"
    return root / "convex-audit"


ENGINE_DIR = Path(__file__).resolve().parent


@cache
def engine_sources() -> tuple[tuple[str, bytes], ...]:
    """The engine's source and data files, as (path relative to the engine, content), sorted: both
    caches' versions are digests of them, and a run that needs both reads them once."""
    paths = sorted([*ENGINE_DIR.rglob("*.py"), *ENGINE_DIR.rglob("*.json")])
    return tuple((path.relative_to(ENGINE_DIR).as_posix(), path.read_bytes()) for path in paths)


# Installed packages whose upgrade can change what the engine extracts: the parsers.
SHAPING_PACKAGES = ("esprima", "tree_sitter", "tree_sitter_typescript")


def packages_stamp() -> str:
    """Where each package that shapes facts is installed, its size and when it was written, found
    without importing it: installing another version rewrites its files, and so changes the stamp."""
    parts = []
    for name in SHAPING_PACKAGES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        try:
            status = os.stat(origin) if origin else None
        except OSError:
            status = None
        parts.append(f"{name}:{origin}:{status.st_size}:{status.st_mtime_ns}" if status else f"{name}:absent")
    return "|".join(parts)


def is_busy(error: BaseException) -> bool:
    """Whether a SQLite error says another process held the database too long."""
    return isinstance(error, sqlite3.Error) and getattr(error, "sqlite_errorcode", 0) & 0xFF in BUSY


def open_database(target: Path, schema: str) -> sqlite3.Connection:
    """A connection to the database at ``target`` in write-ahead-log mode, with ``schema`` made.

    A file that is not a database (damaged, or something else in its place) is removed and made
    anew: a cache can always start afresh. Processes that make the database at once can be refused
    at once: SQLite answers "busy" without waiting, rather than risk a deadlock, to all but one of
    those switching a new file to write-ahead logging; they open it again until ``BUSY_SECONDS``
    have passed. Any other error (another process holding it too long, say) leaves the file alone
    and raises."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            return _open(target, schema)
        except sqlite3.DatabaseError as error:
            if error.sqlite_errorcode in NOT_A_DATABASE:
                break
            if not is_busy(error) or time.monotonic() >= deadline:
                raise
        time.sleep(OPEN_RETRY_SECONDS)
    for leftover in (target, target.with_name(f"{target.name}-wal"), target.with_name(f"{target.name}-shm")):
        leftover.unlink(missing_ok=True)
    return _open(target, schema)


def _open(target: Path, schema: str) -> sqlite3.Connection:
    database = sqlite3.connect(target, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
    try:
        database.execute("PRAGMA journal_mode=WAL")
        database.execute("PRAGMA synchronous=NORMAL")
        database.execute(schema)
    except sqlite3.Error:
        database.close()
        raise
    return database
