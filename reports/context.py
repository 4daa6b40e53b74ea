"""The code lines around a finding.

Findings store one line (the snippet). When the repository's cached clone is checked out at the
audit's commit, the lines around it are read from there; otherwise the page shows the snippet.
Reading is bounded (file size, number of files) and never leaves the clone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from projects.models import Audit, Finding
from projects.pipeline import checkout_dir
from reports import fragments
from reports.highlight import highlight_lines, language_for

CONTEXT_LINES = 3
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class CodeLine:
    number: int
    text: str
    hit: bool  # the finding's own line
    span: bool = False  # inside the finding's range, after its first line
    html: str = ""  # the text, escaped and highlighted (reports.highlight)


def _head_sha(workdir: Path) -> str | None:
    head = workdir / ".git" / "HEAD"
    try:
        text = head.read_text().strip()
    except OSError:
        return None
    if not text.startswith("ref:"):
        return text
    ref = text[4:].strip()
    try:
        return (workdir / ".git" / ref).read_text().strip()
    except OSError:
        pass
    try:
        for line in (workdir / ".git" / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line.split(" ", 1)[0]
    except OSError:
        pass
    return None


class SourceReader:
    """Reads files of one audit's commit from the cached clone, once per file per page."""

    def __init__(self, audit: Audit) -> None:
        self.root: Path | None = None
        workdir = checkout_dir(audit.repository)
        if audit.commit_sha and _head_sha(workdir) == audit.commit_sha:
            self.root = workdir.resolve()
        self._files: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if self.root is None or not path:
            return None
        if path not in self._files:
            self._files[path] = self._read(path)
        return self._files[path]

    def _read(self, path: str) -> list[str] | None:
        assert self.root is not None
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root) or ".git" in target.relative_to(self.root).parts:
            return None
        try:
            if not target.is_file() or target.stat().st_size > MAX_FILE_BYTES:
                return None
            return target.read_text(errors="replace").splitlines()
        except OSError:
            return None

    def context(self, finding: Finding, around: int = CONTEXT_LINES, lines: list[str] | None = None) -> list[CodeLine]:
        """The lines around a finding: from the clone (or `lines`, the file as the caller has
        it), else its stored snippet."""
        lines = self.lines(finding.path) if lines is None else lines
        if lines and 1 <= finding.line <= len(lines):
            last_hit = min(max(finding.end_line, finding.line), finding.line + 8)
            start = max(1, finding.line - around)
            end = min(len(lines), last_hit + around)
            return [
                CodeLine(n, lines[n - 1], n == finding.line, finding.line < n <= last_hit)
                for n in range(start, end + 1)
            ]
        if finding.snippet:
            return [CodeLine(finding.line, finding.snippet, True)]
        return []


class CodeHighlighter:
    """The code around findings, highlighted once per audit and file and kept in the cache, so
    other filters, groupings and pages of the same audit reuse it."""

    def __init__(self, audit: Audit, reader: SourceReader) -> None:
        self.audit = audit
        self.reader = reader

    def _highlighted(self, path: str) -> list[str]:
        def compute() -> list[str]:
            return highlight_lines(self.reader.lines(path) or [], language_for(path))

        if self.reader.root is None:
            return []
        return fragments.cached("highlight", [self.audit.result.pk, self.audit.commit_sha, path], compute)

    def context(self, finding: Finding) -> list[CodeLine]:
        highlighted = self._highlighted(finding.path)
        if highlighted:
            return [replace(line, html=line.text) for line in self.reader.context(finding, lines=highlighted)]
        snippet = self.reader.context(finding)
        language = language_for(finding.path)
        return [replace(line, html=highlight_lines([line.text], language)[0]) for line in snippet]
