"""Syntax highlighting of the code the findings page shows, with Pygments, on the server.

Code is cut into lines after highlighting, each line's spans closed and reopened, so a line in
the middle of a template string or a block comment keeps its colour. The output is escaped by
Pygments' tokens (every character of the source passes through `escape`); the classes are
Pygments' short names (`k`, `s2`, `c1`...), styled in static/css/reports.css.
"""

from __future__ import annotations

from functools import cache, lru_cache

from django.utils.html import escape
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, _TokenType

LANGUAGES = {".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
             ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "jsx"}


@cache
def _lexer(language: str) -> Lexer:
    return get_lexer_by_name(language, stripnl=False, ensurenl=False)


def language_for(path: str) -> str | None:
    suffix = path[path.rfind("."):].lower() if "." in path else ""
    return LANGUAGES.get(suffix)


# Only these get a span (and a colour): keywords, strings, comments, numbers, tags and their
# attributes, built-ins. Names, punctuation and spaces stay plain text, which keeps a page of
# code small.
_COLOURED = ("k", "s", "c", "m")
_COLOURED_NAMES = frozenset({"nt", "na", "nb", "bp", "nc"})


@cache
def _css_class(token: _TokenType) -> str:
    while token not in STANDARD_TYPES and token.parent is not None:
        token = token.parent
    short = STANDARD_TYPES.get(token, "")
    return short if short[:1] in _COLOURED or short in _COLOURED_NAMES else ""


def highlight_lines(lines: list[str], language: str | None) -> list[str]:
    """Each line as HTML: escaped, with spans for its tokens. Plain escaped text for a file of
    an unknown language."""
    if language is None:
        return [escape(line) for line in lines]
    out: list[str] = []
    current: list[str] = []
    for token, value in _lexer(language).get_tokens("\n".join(lines)):
        css = _css_class(token)
        pieces = value.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                out.append("".join(current))
                current = []
            if piece:
                current.append(f'<span class="{css}">{escape(piece)}</span>' if css else escape(piece))
    out.append("".join(current))
    # The lexer may drop a final empty line; keep one output line per input line.
    out.extend([""] * (len(lines) - len(out)))
    return out[: len(lines)]


@lru_cache(maxsize=1024)
def highlight_block(code: str, language: str = "typescript") -> str:
    """A block of code (a rule's example or fix) as highlighted HTML lines joined by newlines.

    Kept per process: the blocks are the rules' documentation, the same text on every request
    of the rules and findings pages until the next release."""
    return "\n".join(highlight_lines(code.split("\n"), language))
