"""The last report of each project, kept for a second run of ``convex-audit`` on an unchanged tree.

ESLint's and ruff's caches keep each file's results. Here rules join facts across files, so the
unit is the whole audit. The key is what was asked: the project's resolved root and every option
that shapes the report (``Request``). The entry holds the engine's full source digest (rules
included), what the audit looked at (the journal, ``inputs``) and the report it wrote. A run
finds the entry for its key and looks at the tree again: when the engine is the same and every
look sees what it saw, the stored report is the answer, and no fact is read and no rule run.
Otherwise it audits, and its entry replaces the old one: one report per project and options.

What a report holds of its own run (its seconds, its cache figures) is set when it is written
out (``KeptReport.render``); the exit code for each ``--fail-on`` and the score, for
``--fail-below``, are kept beside it. A journal that saw the tree change during the audit is
never kept.

Entries live in ``reports-v1.sqlite`` in the cache folder, the newest MAX_REPORTS of them. Like
the facts cache, this cache never stops an audit: a database that cannot be opened, read or
written is passed over, and a file that is not a database is made anew.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from auditor.engine import inputs, safefiles
from auditor.engine.cachedir import engine_sources, open_database, packages_stamp

DATABASE = "reports-v1.sqlite"  # a new schema, a new file
_SCHEMA = ("CREATE TABLE IF NOT EXISTS reports (request TEXT PRIMARY KEY, kept REAL NOT NULL, engine TEXT NOT NULL, "
           "journal BLOB NOT NULL, summary BLOB NOT NULL, output BLOB NOT NULL) WITHOUT ROWID")
# Reports kept at most: the most recently written. A CI runner that checks each job out to a new
# folder would otherwise keep a report per job for ever.
MAX_REPORTS = 32
# Where the text report's seconds go: NUL characters around a word, in no real report.
SECONDS_MARK = "\0seconds\0"
FAIL_ON = ("error", "warning", "info", "never")


@cache
def engine_digest() -> str:
    """A digest of the engine's whole source and data (rules included), the parsers installed and
    the Python version."""
    digest = hashlib.sha256(f"{sys.version_info[:2]}|{packages_stamp()}".encode())
    for relative, content in engine_sources():
        digest.update(relative.encode() + b"\0" + content + b"\0")
    return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Request:
    """What a run asks for, as far as it shapes the report."""

    root: str  # resolved
    format: str
    color: bool
    convex_dir: str | None
    config: str | None  # absolute
    baseline: str | None  # absolute
    output: str | None  # absolute: inside the root, the audit leaves it out

    @classmethod
    def of(cls, root: str, *, format: str, color: bool, convex_dir: str | None, config: str | None,
           baseline: str | None, output: str | None) -> Request:
        absolute = [os.path.abspath(path) if path else None for path in (config, baseline, output)]
        return cls(os.path.realpath(root), format, color and format == "text", convex_dir, *absolute)

    def key(self) -> str:
        fields = [self.root, self.format, str(self.color), self.convex_dir or "", self.config or "",
                  self.baseline or "", self.output or ""]
        return hashlib.sha256("\0".join(fields).encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True, slots=True)
class KeptReport:
    """A stored report: its output as written, and what the exit code needs."""

    format: str
    output: bytes  # JSON or SARIF (compact), or text with SECONDS_MARK
    exit_codes: dict[str, int]  # by --fail-on
    score: int

    def exit_code(self, fail_on: str, fail_below: int | None) -> int:
        if fail_below is not None and self.score < fail_below:
            return 1
        return self.exit_codes[fail_on]

    def render(self, *, seconds: float, cache: dict[str, Any], indented: bool) -> str | bytes:
        """The report as this run writes it, with its own seconds and cache figures (laid over the
        stored ones): text as text, JSON and SARIF as UTF-8."""
        if self.format == "text":
            return self.output.decode("utf-8").replace(SECONDS_MARK, str(seconds))
        document = orjson.loads(self.output)
        if self.format == "json":
            document["stats"]["seconds"] = seconds
            document["stats"]["cache"].update(cache)
        return json_bytes(document, indented=indented)


def json_bytes(document: object, *, indented: bool) -> bytes:
    """A report as JSON in UTF-8, ending in a newline. orjson writes a real app's 2 MB report in
    about 5 ms where the standard library's C encoder takes 45, a tenth of a second run."""
    option = orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if indented else 0)
    return orjson.dumps(document, option=option)


class ReportCache:
    """Reports in ``folder/reports.sqlite``; see the module's docstring."""

    def __init__(self, folder: Path) -> None:
        self.target = folder / DATABASE
        self.error: str | None = None  # why the last read or write was passed over, if it was

    def find(self, request: Request) -> KeptReport | None:
        """The stored report for ``request``, if the engine and everything it looked at are unchanged."""
        if not os.path.isfile(self.target):
            return None
        try:
            database = open_database(self.target, _SCHEMA)
            try:
                row = database.execute("SELECT engine, journal, summary, output FROM reports WHERE request = ?",
                                       (request.key(),)).fetchone()
            finally:
                database.close()
        except (OSError, sqlite3.Error) as error:
            self.error = f"{type(error).__name__}: {error}"
            return None
        if row is None or row[0] != engine_digest():
            return None
        try:
            journal = marshal.loads(row[1])
            summary = orjson.loads(row[2])
            kept = KeptReport(request.format, row[3], dict(summary["exit_codes"]), int(summary["score"]))
        except (ValueError, EOFError, TypeError, KeyError, orjson.JSONDecodeError):
            return None  # damaged: audit again, and the new entry replaces it
        if not inputs.unchanged(journal, safefiles.OBSERVERS):
            return None
        return kept

    def keep(self, request: Request, journal: inputs.Journal, kept: KeptReport) -> bool:
        """Store ``kept`` for ``request`` unless the journal saw the tree change; whether it was stored."""
        if journal.unsettled:
            return False
        summary = orjson.dumps({"exit_codes": kept.exit_codes, "score": kept.score})
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            database = open_database(self.target, _SCHEMA)
            try:
                with database:
                    database.execute("BEGIN IMMEDIATE")
                    database.execute("INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?, ?, ?)",
                                     (request.key(), time.time(), engine_digest(), marshal.dumps(journal.seen),
                                      summary, kept.output))
                    database.execute("DELETE FROM reports WHERE request NOT IN "
                                     "(SELECT request FROM reports ORDER BY kept DESC LIMIT ?)", (MAX_REPORTS,))
            finally:
                database.close()
        except (OSError, sqlite3.Error) as error:
            self.error = f"{type(error).__name__}: {error}"
            return False
        return True
