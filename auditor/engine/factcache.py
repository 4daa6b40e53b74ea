"""The facts cache: each file's extracted facts, kept across audits, runs and processes.

A file's entry is its facts (or its parse failure) as a pickle, keyed by the file's content
hash, its path and module, and the engine version: a digest of the engine's own source, so that
an engine that extracts differently never reads facts an older one wrote. Entries live

* in memory, in an LRU bounded by bytes (the pickles' sizes, via cachetools), and
* on disk, when the cache has a folder: in one SQLite database, ``facts-<version>/facts.sqlite``,
  in write-ahead-log mode, so concurrent audits and processes share it and each entry lands whole.
  One file per entry cost a cold audit a file creation and a rename each: on a real app of 460
  files that was 0.3-0.4 s of the main process, where SQLite takes about 0.05 s.

Memory holds pickles rather than live objects, so every audit unpickles its own copy: whatever a
later step does to the facts never reaches the cache. A pickle leaves out the facts' source text,
which is the file itself: whoever asks for an entry has just read the file to hash it, and puts
the text back (``with_source``). An entry that cannot be unpickled is ignored (a miss) and
rewritten; a database file that is not one (damaged, or something else in its place) is removed
and made anew; a database another process holds too long costs that read or write; a folder or
database that cannot be created or written turns the disk half off for that cache and says why
in ``disk_error``. None of these ever stops an audit.

Facts are plain data (frozen dataclasses without syntax-tree nodes, see model.py), so every entry
pickles; the pickler here only makes it smaller and faster to read (``_reducers``).
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import io
import os
import pickle
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from auditor.engine import model
from auditor.engine.cachedir import engine_sources, is_busy, open_database, packages_stamp
from auditor.engine.model import ModuleFacts, ParseFailure

# Bump when the shape of cached facts changes in a way the source digest would not catch.
FACTS_FORMAT = 4
DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024
# Rules read facts but never shape them: a new or changed rule keeps the cache valid.
_NOT_SHAPING_FACTS = ("rules/",)

CacheKey = tuple[str, str | None, str]  # (path, module, content digest and the aliases' fingerprint)
DATABASE = "facts.sqlite"
# writing_together() sends what it holds back to disk once this much waits.
WRITE_TOGETHER_BYTES = 16 * 1024 * 1024
_SCHEMA = "CREATE TABLE IF NOT EXISTS entries (name TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID"


@dataclass(slots=True)
class CachedFile:
    facts: ModuleFacts | None
    failure: ParseFailure | None
    light: bool = False  # read by tree-sitter alone (frontend.light_facts), not esprima


@cache
def engine_version() -> str:
    """A digest of the engine's fact-shaping source, the parsers installed, the Python version and
    FACTS_FORMAT."""
    digest = hashlib.sha256(f"{FACTS_FORMAT}|{sys.version_info[:2]}|{packages_stamp()}".encode())
    for relative, content in engine_sources():
        if relative.endswith(".py") and not relative.startswith(_NOT_SHAPING_FACTS):
            digest.update(relative.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()[:20]


STALE_VERSION_SECONDS = 24 * 3600


def prune_other_versions(directory: Path, *, older_than: float = STALE_VERSION_SECONDS) -> list[str]:
    """Remove the folders of other engine versions untouched for ``older_than`` seconds; their names.

    An upgraded engine never reads an older one's facts, so without this the cache would keep
    every version's. A version still in use (another process mid-upgrade) writes its folder and
    so keeps it fresh. Failures are ignored: pruning is housekeeping, never a reason to stop.
    """
    current = f"facts-{engine_version()}"
    removed: list[str] = []
    try:
        candidates = [path for path in directory.iterdir() if path.name.startswith("facts-") and path.name != current]
    except OSError:
        return removed
    now = time.time()
    for path in candidates:
        try:
            if path.is_symlink() or not path.is_dir() or now - path.stat().st_mtime < older_than:
                continue
            shutil.rmtree(path)
        except OSError:
            continue
        removed.append(path.name)
    return removed


def _constructor_reducer(cls: type) -> Callable[[object], tuple[type, tuple[object, ...]]]:
    fields = model.field_reader(cls)

    def reduce(value: object) -> tuple[type, tuple[object, ...]]:
        return cls, fields(value)

    return reduce


def _module_facts(facts: ModuleFacts) -> tuple[type, tuple[object, ...]]:
    # The source is the file itself, which every reader has just read to hash it: it is left out
    # and put back by ``with_source`` (it was most of a pickle's bytes).
    return ModuleFacts, tuple("" if name == "source" else getattr(facts, name) for name in _MODULE_FIELDS)


def _location(location: model.Location) -> tuple[Callable[..., model.Location], tuple[object, ...]]:
    # tuple.__new__ makes the named tuple in C; its own __new__ is a Python function.
    return tuple.__new__, (model.Location, tuple(location))


def _reducers() -> dict[type, Callable[[Any], tuple[type, tuple[object, ...]]]]:
    """A reducer for each fact class: rebuilt through its constructor, not a slots dataclass's Python
    ``__setstate__`` (which looks the fields up again for every object; a file's facts hold hundreds),
    and without the field names a ``__dict__`` would carry."""
    reducers: dict[type, Callable[[Any], tuple[type, tuple[object, ...]]]] = {}
    for value in vars(model).values():
        if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == model.__name__ \
                and all(f.init for f in dataclasses.fields(value)):
            reducers[value] = _constructor_reducer(value)
    reducers[ModuleFacts] = _module_facts
    reducers[model.Location] = _location
    reducers[CachedFile] = _constructor_reducer(CachedFile)
    return reducers


_MODULE_FIELDS = tuple(f.name for f in dataclasses.fields(ModuleFacts))


class _FactsPickler(pickle.Pickler):
    dispatch_table = {**copyreg.dispatch_table, **_reducers()}


def dumps(entry: CachedFile) -> bytes:
    """The entry as a pickle (without its facts' source text, see ``with_source``)."""
    buffer = io.BytesIO()
    _FactsPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(entry)
    return buffer.getvalue()


def with_source(entry: CachedFile, source: str) -> CachedFile:
    """The entry with its facts' source text, which pickles leave out, put back.

    ``entry`` must be one ``loads`` has just made, which no one else holds yet: the text goes
    into its facts in place, as the last step of unpickling them (a copy of each file's facts
    cost a warm audit more than the rest of reading them)."""
    if entry.facts is not None and not entry.facts.source and source:
        object.__setattr__(entry.facts, "source", source)
    return entry


def loads(data: bytes) -> CachedFile | None:
    """The entry a pickle holds, or None when it is damaged or not an entry at all."""
    try:
        entry = pickle.loads(data)
    except Exception:  # a truncated or foreign file is a miss, whatever unpickling raises
        return None
    return entry if isinstance(entry, CachedFile) else None


class ParseCache:
    """Facts per file, in a byte-bounded memory LRU and, given a folder, on disk (see the module docstring)."""

    def __init__(self, directory: str | Path | None = None, *, max_bytes: int = DEFAULT_MEMORY_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError("max_bytes must be zero or more")
        self._memory: LRUCache[CacheKey, bytes] = LRUCache(maxsize=max_bytes, getsizeof=len)
        self.directory = Path(directory) if directory is not None else None
        self.disk_error: str | None = None
        self.hits = 0
        self.misses = 0
        self.disk_hits = 0
        self.disk_writes = 0
        self.bad_entries = 0  # disk entries that could not be read, rewritten since
        self.busy_skips = 0  # reads and writes given up while another process held the database
        self._pruned = False
        # One connection per process and thread: SQLite's may cross neither a fork nor a thread.
        self._folder: Path | None = None
        self._database_file: Path | None = None  # the folder's DATABASE, set with the folder
        self._database: sqlite3.Connection | None = None
        self._database_owner: tuple[int, int] | None = None
        self._together = 0  # depth of writing_together()
        self._unwritten: list[tuple[str, bytes]] = []  # what writing_together() holds back
        self._unwritten_bytes = 0

    @property
    def memory_bytes(self) -> int:
        return int(self._memory.currsize)

    @property
    def folder(self) -> Path | None:
        """This engine version's folder of entries, None when the cache keeps nothing on disk."""
        if self.directory is None or self.disk_error is not None:
            return None
        if self._folder is None:  # asked for each file of an audit: joined once
            self._folder = self.directory / f"facts-{engine_version()}"
            self._database_file = self._folder / DATABASE
        return self._folder

    def get(self, key: CacheKey) -> CachedFile | None:
        data = self._memory.get(key)
        entry = loads(data) if data is not None else None
        if entry is None:
            entry = self._read_disk(key)
        if entry is None:
            self.misses += 1
        else:
            self.hits += 1
        return entry

    def put(self, key: CacheKey, entry: CachedFile) -> None:
        data = dumps(entry)
        self._remember(key, data)
        self._write_disk(key, data)

    def put_pickled(self, key: CacheKey, data: bytes) -> None:
        """Store an entry another process already pickled (the parallel parse)."""
        self._remember(key, data)
        self._write_disk(key, data)

    @contextmanager
    def writing_together(self) -> Iterator[None]:
        """Entries put inside go to disk together, in one short transaction at the end (or each
        time ``WRITE_TOGETHER_BYTES`` of them wait), rather than one each: a cold audit writes
        hundreds. The database stays free for other processes meanwhile."""
        self._together += 1
        try:
            yield
        finally:
            self._together -= 1
            if not self._together:
                self._write_unwritten()

    def close(self) -> None:
        """Close this process's connection to the database; a later read or write opens it again.
        (Left open, it lasts until the collector finds it: sqlite3 keeps a reference cycle.)"""
        database, owner = self._database, self._database_owner
        self._database = self._database_owner = None
        if database is not None and owner == (os.getpid(), threading.get_ident()):
            database.close()  # one inherited across a fork belongs to the parent: never closed here

    def _remember(self, key: CacheKey, data: bytes) -> None:
        if len(data) <= self._memory.maxsize:  # cachetools refuses a value larger than the whole cache
            self._memory[key] = data

    @staticmethod
    def _name(key: CacheKey) -> str:
        path, module, content = key
        return hashlib.sha256(f"{path}\0{module}\0{content}".encode()).hexdigest()

    def _read_disk(self, key: CacheKey) -> CachedFile | None:
        database = self._connection(create=False)
        if database is None:
            return None
        try:
            row = database.execute("SELECT data FROM entries WHERE name = ?", (self._name(key),)).fetchone()
        except sqlite3.Error as error:
            self._disk_failed(error)
            return None
        if row is None:
            return None
        data = row[0]
        entry = loads(data)
        if entry is None:
            self.bad_entries += 1
            return None
        self.disk_hits += 1
        self._remember(key, data)
        return entry

    def _write_disk(self, key: CacheKey, data: bytes) -> None:
        if self.folder is None:
            return
        self._unwritten.append((self._name(key), data))
        self._unwritten_bytes += len(data)
        if not self._together or self._unwritten_bytes >= WRITE_TOGETHER_BYTES:
            self._write_unwritten()

    def _write_unwritten(self) -> None:
        rows, self._unwritten, self._unwritten_bytes = self._unwritten, [], 0
        if not rows or self.folder is None:
            return
        if not self._pruned:
            self._pruned = True
            prune_other_versions(self.directory)  # type: ignore[arg-type]
        database = self._connection(create=True)
        if database is None:
            return
        try:
            database.execute("BEGIN")
            try:
                database.executemany("INSERT OR REPLACE INTO entries (name, data) VALUES (?, ?)", rows)
                database.execute("COMMIT")
            except BaseException:
                if database.in_transaction:
                    database.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            self._disk_failed(error)
            return
        self.disk_writes += len(rows)

    def _connection(self, *, create: bool) -> sqlite3.Connection | None:
        """This process's and thread's connection to the database; None while it does not exist
        (unless ``create``) or when the disk is off."""
        owner = (os.getpid(), threading.get_ident())
        if self._database is not None and self._database_owner == owner:
            return self._database
        folder = self.folder
        target = self._database_file
        if folder is None or target is None:
            return None
        if not create and not os.path.isfile(target):
            return None
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.utime(folder)  # a version in use stays fresh (see prune_other_versions)
            database = open_database(target, _SCHEMA)
        except (OSError, sqlite3.Error) as error:
            self._disk_failed(error)
            return None
        self._database, self._database_owner = database, owner
        return database

    def _disk_failed(self, error: Exception) -> None:
        # Another process holding the database past BUSY_SECONDS costs this read or write alone (a
        # worker's cache lives for many audits). Anything else, an unwritable folder or database
        # say, turns the disk half off for this cache. The audit goes on either way.
        if is_busy(error):
            self.busy_skips += 1
            return
        if isinstance(error, OSError):
            self.disk_error = f"{type(error).__name__}: {error.strerror or error}"
        else:
            self.disk_error = f"{type(error).__name__}: {error}"
