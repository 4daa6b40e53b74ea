"""Validator that convex/values does not have: v.map() or v.set().

What it flags:
    A call to `v.map(...)` or `v.set(...)` on the `v` of `convex/values` (under any local name).
    Neither exists: Convex stores no `Map` or `Set` values, so `convex/values` exports no
    validator for them. The finding sits at the call.

Why it matters:
    `v.map` is `undefined`, so calling it throws a TypeError as soon as the module loads: the
    schema or every function of the file fails to deploy. TypeScript reports it too, but the
    push fails first in projects that skip type checking or use JavaScript.

Example:
    export default defineSchema({
      scores: defineTable({ byPlayer: v.map(v.string(), v.number()) }),
    });

Fix:
    Use `v.record(v.string(), v.number())` for a map with string keys, or
    `v.array(v.string())` for a set (and keep its items unique in code).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/unsupported-validator", "error", "v.map() or v.set(), which convex/values lacks")

REPLACEMENTS = {
    "map": "`v.record(keys, values)` (string keys) or an array of `v.object({ key, value })`",
    "set": "`v.array(item)` and keep its items unique in code",
}


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for module in project.modules.values():
        for name, loc in module.validator_calls:
            replacement = REPLACEMENTS.get(name)
            if replacement is not None:
                yield report.at(
                    loc,
                    f"`v.{name}()` does not exist in convex/values (Convex stores no {name.title()} values), so "
                    f"this module throws when it loads; use {replacement}.",
                )
