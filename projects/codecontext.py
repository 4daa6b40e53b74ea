"""The code lines around each finding, read from the checkout while its audit is stored.

They are stored with the finding (`Finding.context`), so the pages never read the worker's
clone (in production only the worker mounts it). Reading is bounded (file size) and never
leaves the checkout. Each line is stored highlighted too: a file is highlighted whole, once per
audit (so a line inside a template string or comment keeps its colour), never per request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from projects.highlight import highlight_lines, language_for

CONTEXT_LINES = 3
MAX_FILE_BYTES = 1_000_000
MAX_SPAN = 8  # lines of a long finding shown after its first one


class Reader:
    """Reads files of one checkout, once per file."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._files: dict[str, list[str] | None] = {}
        self._highlighted: dict[str, list[str]] = {}

    def lines(self, path: str) -> list[str] | None:
        if not path:
            return None
        if path not in self._files:
            self._files[path] = self._read(path)
        return self._files[path]

    def highlighted(self, path: str) -> list[str]:
        """The file's lines as highlighted HTML (projects.highlight), worked out once per file."""
        if path not in self._highlighted:
            self._highlighted[path] = highlight_lines(self.lines(path) or [], language_for(path))
        return self._highlighted[path]

    def _read(self, path: str) -> list[str] | None:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root) or ".git" in target.relative_to(self.root).parts:
            return None
        try:
            if not target.is_file() or target.stat().st_size > MAX_FILE_BYTES:
                return None
            return target.read_text(errors="replace").splitlines()
        except OSError:
            return None

    def around(self, finding: dict[str, Any], around: int = CONTEXT_LINES) -> list[list[Any]]:
        """[[number, text, html], ...] from `around` lines before the finding to `around` after it."""
        lines = self.lines(finding.get("path") or "")
        line = int(finding.get("line") or 0)
        if not lines or not 1 <= line <= len(lines):
            return []
        last_hit = min(max(int(finding.get("end_line") or 0), line), line + MAX_SPAN)
        start, end = max(1, line - around), min(len(lines), last_hit + around)
        html = self.highlighted(finding.get("path") or "")
        return [[n, lines[n - 1], html[n - 1]] for n in range(start, end + 1)]
