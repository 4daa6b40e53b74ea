"""What every rule module shares: its identity card, the context it reports through, and the findings it returns.

``Finding`` is the engine's report contract: every rule returns them, suppressions and
fingerprints fill in the rest, and ``report.py`` turns them into the JSON report (whose
``format.version`` says which shape it is; the shape only ever gains fields) and SARIF.

How a rule is written: a module with ``RULE = RuleInfo(id, severity)`` and ``check(project)``,
which the registry calls with the project's facts and which yields findings. ``check`` builds a
``RuleContext`` first and reports every finding through it, never with ``Finding`` or
``RuleInfo.finding`` itself (a test holds every rule module to this)::

    def check(project):
        report = RuleContext(RULE, project)
        for body in convex_bodies(project):
            for loc in body.date_now:
                yield report.at(loc, "Date.now() in a query ...", body=body)

The context fills in each finding's owner label, the ``function`` that fingerprints key on, so
that the labelling lives here once. Name what owns the finding (one keyword) and it picks the label:

* ``body=``: the body the fact was found in; a handler is labelled with its function id, any
  other body (helper, inline route handler, custom builder context) with its body key;
* ``function=``: a registered function, labelled with its function id;
* ``route=``: an HTTP route, labelled with its handler's function id when the handler is an
  exported ``httpAction``, else the handler's body key;
* ``enclosing=True``: whatever body's span holds ``loc`` (the innermost), for facts read from a
  module's text rather than from a body (strings, ``v.id`` references); none outside any body;
* ``owner=``: a label the rule already has (a client component's name, a function id carried
  by a compat change, an HTTP handler named as in its message);
* nothing: the finding has no owner (a schema table or index, a cron, a file, the project).

The registry keeps calling ``check(project)``, so a rule stays a plain function of the facts
that a test or a script can call without the registry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

from auditor.engine.derive import body_owner_labels, owner_at
from auditor.engine.model import BodyFacts, FunctionFact, Location, ProjectFacts, RouteFact, Severity

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
        return body_owner_labels(self.project).get(body.key, body.key)

    def owner_at(self, loc: Location) -> str | None:
        """The label of the innermost body whose span holds ``loc``; None outside every body."""
        return owner_at(self.project, loc)

    def at(self, loc: Location, message: str, *, body: BodyFacts | None = None,
           function: FunctionFact | None = None, route: RouteFact | None = None,
           enclosing: bool = False, owner: str | None = None) -> Finding:
        """A finding at ``loc``, owned by what the keyword names (see the module docstring), or by no one."""
        if owner is None:
            if body is not None:
                owner = self.owner_of(body)
            elif function is not None:
                owner = function.function_id
            elif route is not None:
                owner = route.handler_function or route.handler_body
            elif enclosing:
                owner = self.owner_at(loc)
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


def doc_title(module: ModuleType) -> str:
    """A rule's title: the first line of its module's docstring, without a final full stop.

    Alone, for a run that needs only titles (an audit); ``parse_doc`` reads the sections too."""
    title = (module.__doc__ or "").strip("\n").partition("\n")[0]
    return title.strip().rstrip(".")


def parse_doc(module: ModuleType) -> RuleDoc:
    rest = (module.__doc__ or "").strip("\n").partition("\n")[2]
    parts = _SECTION_HEADING.split(rest)
    sections: dict[str, str] = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        sections[heading] = _dedent_block(body)
    return RuleDoc(title=doc_title(module), sections=sections)


def _dedent_block(body: str) -> str:
    lines = body.strip("\n").splitlines()
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines).strip()
