"""JavaScript reserved words, and the export a file that failed to parse declares under one.

``export const delete = mutation(...)`` is a syntax error, so the file never reaches extraction;
the parser stops at the word. Reading the failing line tells ``functions/reserved-word-export``
what was meant.
"""

from __future__ import annotations

import re

# ECMAScript reserved words and the strict-mode ones (modules are strict), without `default`:
# a default export is a Convex function named "default", called as `api.module.default`.
RESERVED_WORDS = frozenset({
    "await", "break", "case", "catch", "class", "const", "continue", "debugger", "delete", "do", "else",
    "enum", "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in",
    "instanceof", "interface", "let", "new", "null", "package", "private", "protected", "public", "return",
    "static", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with",
    "yield",
})
_EXPORT_DECLARATION = re.compile(r"^\s*export\s+(?:const|let|var|(?:async\s+)?function\s*\*?)\s*$")
_WORD = re.compile(r"[A-Za-z_$][\w$]*")


def reserved_export_at(source: str, line: int, column: int) -> str | None:
    """The reserved word a failing ``export const``/``function`` declaration names at line:column."""
    lines = source.splitlines()
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1]
    word = _WORD.match(text, column)
    if word is None or word.group(0) not in RESERVED_WORDS:
        return None
    return word.group(0) if _EXPORT_DECLARATION.match(text[:column]) else None


__all__ = ["RESERVED_WORDS", "reserved_export_at"]
