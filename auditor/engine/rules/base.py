"""What every rule module shares: its identity card, the context it reports through, and the findings it returns.

``Finding`` is the engine's report contract: every rule returns them, suppressions and
fingerprints fill in the rest, and ``report.py`` turns them into the JSON report (whose
``format.version`` says which shape it is; the shape only ever gains fields) and SARIF.

A rule reports through a ``RuleContext``, which fills in each finding's owner label (the
function id of a handler, the key of a helper or inline route handler), the label fingerprints
key on, instead of each rule working it out::

    def check(project):
        report = RuleContext(RULE, project)
        for body in project.bodies.values():
            for call in body.date_now:
                yield report.at(call, "Date.now() in a query ...", body=body)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

from auditor.engine.model import BodyFacts, FunctionFact, Location, ProjectFacts, Severity

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


class RuleContext:
    """What a rule reports through: the rule and the project, and the owner label of each finding."""

    def __init__(self, rule: RuleInfo, project: ProjectFacts) -> None:
        self.rule = rule
        self.project = project

    def owner_of(self, body: BodyFacts) -> str:
        """The label findings in ``body`` carry: its function id for a handler, else the body's key."""
        from auditor.engine.derive import body_owner_labels

        return body_owner_labels(self.project).get(body.key, body.key)

    def at(self, loc: Location, message: str, *, body: BodyFacts | None = None,
           function: FunctionFact | None = None, owner: str | None = None) -> Finding:
        """A finding at ``loc``, owned by ``body``'s function, by ``function``, or by the label given."""
        if owner is None and body is not None:
            owner = self.owner_of(body)
        elif owner is None and function is not None:
            owner = function.function_id
        return self.rule.finding(loc, message, function=owner)


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
