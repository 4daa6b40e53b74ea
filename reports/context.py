"""The code lines shown around a finding, highlighted.

They were read from the checkout when the audit was stored (projects.codecontext) and live on
the finding, so the web process never reads the worker's clone; audits stored before that show
the finding's one stored line.
"""

from __future__ import annotations

from dataclasses import dataclass

from projects.codecontext import MAX_SPAN
from projects.highlight import highlight_lines, language_for
from projects.models import Audit, Finding


@dataclass(frozen=True)
class CodeLine:
    number: int
    text: str
    hit: bool  # the finding's own line
    span: bool = False  # inside the finding's range, after its first line
    html: str = ""  # the text, escaped and highlighted (projects.highlight)


def code_lines(finding: Finding) -> list[CodeLine]:
    """The stored lines around a finding, else its stored snippet."""
    if finding.context:
        last_hit = min(max(finding.end_line, finding.line), finding.line + MAX_SPAN)
        return [
            CodeLine(int(number), str(text), number == finding.line, finding.line < number <= last_hit,
                     str(stored[0]) if stored else "")
            for number, text, *stored in finding.context
        ]
    if finding.snippet:
        return [CodeLine(finding.line, finding.snippet, True)]
    return []


class CodeHighlighter:
    """The code around findings, highlighted: as stored with the audit (projects.codecontext
    highlights each file once), or here for an audit stored before that and for a lone snippet."""

    def __init__(self, audit: Audit) -> None:
        self.audit = audit

    def context(self, finding: Finding) -> list[CodeLine]:
        lines = code_lines(finding)
        if not lines or all(line.html for line in lines):
            return lines  # highlighted when the audit was stored

        highlighted = highlight_lines([line.text for line in lines], language_for(finding.path))
        return [
            CodeLine(line.number, line.text, line.hit, line.span, html)
            for line, html in zip(lines, highlighted, strict=False)
        ]
