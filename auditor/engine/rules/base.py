"""What every rule module shares: its identity card and the findings it returns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

from auditor.engine.model import Location, ProjectFacts, Severity

DOC_SECTIONS = ("What it flags", "Why it matters", "Example", "Fix")


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """A rule's id and default severity. Its title is the first line of the rule module's docstring:
    the registry (``rules.all_rules``) fills it in; a title written here is ignored."""

    id: str
    severity: Severity
    title: str = ""

    @property
    def category(self) -> str:
        return self.id.split("/", 1)[0]

    def finding(self, loc: Location, message: str, *, function: str | None = None) -> Finding:
        return Finding(rule=self.id, severity=self.severity, loc=loc, message=message, function=function)


@dataclass(slots=True)
class Finding:
    rule: str
    severity: Severity
    loc: Location
    message: str
    function: str | None = None  # enclosing function id or helper key, feeds the fingerprint
    suppressed: bool = False
    suppression: str | None = None  # why: "comment: reason", "config: path glob", ...
    fingerprint: str = ""
    snippet: str = ""


class RuleModule(Protocol):
    RULE: RuleInfo

    def check(self, project: ProjectFacts) -> Iterable[Finding]: ...


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's docstring split into its title and the four sections."""

    title: str
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def what(self) -> str:
        return self.sections.get("What it flags", "")

    @property
    def why(self) -> str:
        return self.sections.get("Why it matters", "")

    @property
    def example(self) -> str:
        return self.sections.get("Example", "")

    @property
    def fix(self) -> str:
        return self.sections.get("Fix", "")


_SECTION_HEADING = re.compile(r"^(What it flags|Why it matters|Example|Fix):\s*$", re.MULTILINE)


def parse_doc(module: ModuleType) -> RuleDoc:
    text = (module.__doc__ or "").strip("\n")
    title, _, rest = text.partition("\n")
    parts = _SECTION_HEADING.split(rest)
    sections: dict[str, str] = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        sections[heading] = _dedent_block(body)
    return RuleDoc(title=title.strip().rstrip("."), sections=sections)


def _dedent_block(body: str) -> str:
    lines = body.strip("\n").splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines).strip()
