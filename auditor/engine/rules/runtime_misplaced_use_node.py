"""`"use node"` that is not the file's first statement.

What it flags:
    A `"use node";` statement in a Convex module that is not in the file's directive prologue:
    after an import or any other statement, or inside a function. Comments before it are fine.
    Files Convex does not bundle (names with two dots such as `*.test.ts`) are not checked.

Why it matters:
    Convex reads the directive only from the prologue (the string statements that open the
    file). Anywhere else it is an ordinary string, ignored: the module runs in the default
    runtime, where its Node.js imports (`fs`, `crypto`, SDKs that need them) fail at deploy or
    at the first call, and its actions do not get the Node.js APIs they expect.

Example:
    import { action } from "./_generated/server";
    import Stripe from "stripe";
    "use node";

Fix:
    Move `"use node";` to the first line of the file, before every import.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import is_entry_point
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("runtime/misplaced-use-node", "warning", '"use node" outside the directive prologue')


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for module in project.modules.values():
        if not is_entry_point(module.path):
            continue  # Convex does not bundle it (`*.test.ts`): its directives mean nothing
        for loc in module.misplaced_use_node:
            yield report.at(
                loc,
                f'This "use node" is not at the top of {module.path}, so Convex ignores it and the file runs in the '
                "default runtime; move it to the first line, before the imports.",
            )
