from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from projects.highlight import highlight_block

register = template.Library()

_CODE = re.compile(r"`([^`]+)`")
# A line of a rule's Fix section that is code rather than prose: a declaration or statement,
# a closing bracket, or a line ending the way statements end. Prose that quotes code uses
# backticks, and starts with one when it opens with code.
_CODE_LINE = re.compile(
    r"""^(\s+\S|(const|let|var|return|await|if|for|export|import|throw|function|async)\b|[})\]<]|//|\w+(\.\w+)+\()"""
    r"""|[;{]\s*$"""
)


def _code_spans(escaped: str) -> str:
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)


@register.filter
def inline_code(text: str | None) -> SafeString:
    """One line of engine text (a finding's message): escaped first, then `code` as code."""
    return mark_safe(_code_spans(escape(text or "")))


# The engine labels an inline HTTP handler by where its route is registered: "convex/http.ts#route:178:0".
_ROUTE_OWNER = re.compile(r"^(?P<path>[^#]+)#route:(?P<line>\d+):\d+$")


@register.filter
def owner_label(function: str | None) -> str:
    """A finding's owner as people read it: an inline HTTP handler becomes "HTTP route at
    convex/http.ts:178"; function ids and helper names stay as the engine gave them."""
    match = _ROUTE_OWNER.match(function or "")
    if match is None:
        return function or ""
    return f"HTTP route at {match['path']}:{match['line']}"


@register.filter
def prose(text: str | None) -> SafeString:
    """Docstring prose: escaped, `code` spans kept, blank lines as paragraph breaks."""
    return mark_safe(_prose(text or ""))


@lru_cache(maxsize=1024)  # rule docs: the same text on every request until the next release
def _prose(text: str) -> str:
    if not text:
        return ""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = []
    for paragraph in paragraphs:
        html.append(f"<p>{_code_spans(escape(' '.join(paragraph.split())))}</p>")
    return "".join(html)


def _is_code(line: str) -> bool:
    return not line.startswith("`") and bool(_CODE_LINE.search(line))


@register.filter
def fix_blocks(text: str | None) -> SafeString:
    """A rule's Fix section: prose paragraphs, and its lines of code as highlighted blocks."""
    return mark_safe(_fix_blocks(text or ""))


@lru_cache(maxsize=1024)  # rule docs: the same text on every request until the next release
def _fix_blocks(text: str) -> str:
    if not text:
        return ""
    html: list[str] = []
    prose_lines: list[str] = []
    code_lines: list[str] = []

    def flush() -> None:
        if prose_lines:
            html.append(f"<p>{_code_spans(escape(' '.join(' '.join(prose_lines).split())))}</p>")
            prose_lines.clear()
        if code_lines:
            html.append(f'<pre class="code fix-code"><code>{highlight_block(chr(10).join(code_lines))}</code></pre>')
            code_lines.clear()

    for line in text.splitlines():
        if not line.strip():
            flush()
        elif sum(part.count("`") for part in prose_lines) % 2:
            prose_lines.append(line)  # inside a `code span` that runs over lines
        elif _is_code(line) or (code_lines and line.startswith(" ")):
            if prose_lines:
                flush()
            code_lines.append(line)
        else:
            if code_lines:
                flush()
            prose_lines.append(line)
    flush()
    return "".join(html)


@register.filter
def commit_url(repository: Any, sha: str) -> str | None:
    return repository.commit_url(sha) if repository is not None else None


@register.filter
def get_item(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key)


@register.filter
def yesno_mark(value: Any) -> SafeString:
    if value is None:
        return mark_safe('<span class="muted">&ndash;</span>')
    return mark_safe('<span class="yes">yes</span>' if value else '<span class="no">no</span>')


@register.filter
def ago(moment: datetime | None, now: datetime) -> str:
    """How long before `now`, to the minute: the same text for a whole minute, so a rendering
    keyed by the minute (reports.fragments) is never more than a minute off."""
    if moment is None:
        return ""
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    for size, unit in ((24 * 60, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size:
            count = minutes // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


@register.simple_tag
def page_url(query: str, number: int) -> str:
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.simple_tag
def query_url(query: Any, **changes: Any) -> str:
    """`?` and the findings page's query with `changes` (a FindingQuery)."""
    return "?" + query.as_query(**{name: str(value) for name, value in changes.items()})


@register.filter
def highlight_ts(code: str | None) -> SafeString:
    """A block of TypeScript, highlighted (its text escaped by projects.highlight)."""
    return mark_safe(highlight_block(code or ""))


# Below this the score shows red, from this on green (the projects page's legend says so).
POOR_BELOW, GOOD_FROM = 50, 80


@register.filter
def score_gate_note(score: int | None, gate_status: str | None) -> str:
    """One line for when the health score and the quality gate seem to disagree."""
    if score is None or not gate_status:
        return ""
    if gate_status == "passed" and score < POOR_BELOW:
        return ("The gate passed: it judges only findings new since its baseline, while the score "
                "counts every open finding, old ones included.")
    if gate_status == "failed" and score >= GOOD_FROM:
        return ("The gate failed on new findings its conditions do not allow, though the score over "
                "all open findings is high.")
    return ""
