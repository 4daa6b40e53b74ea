from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_CODE = re.compile(r"`([^`]+)`")


@register.filter
def prose(text: str | None) -> SafeString:
    """Docstring prose: escaped, `code` spans kept, blank lines as paragraph breaks."""
    if not text:
        return mark_safe("")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    html = []
    for paragraph in paragraphs:
        body = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escape(" ".join(paragraph.split())))
        html.append(f"<p>{body}</p>")
    return mark_safe("".join(html))


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
