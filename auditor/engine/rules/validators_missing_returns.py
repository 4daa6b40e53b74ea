"""Public function without a returns validator.

What it flags:
    A public `query`, `mutation` or `action` (custom builders count as their base kind)
    registered with an object that has no `returns` key. Internal functions, `httpAction`s and
    the bare-function form (reported by `functions/old-syntax`) are not flagged. `returns`
    exists from convex 1.13.0: below it, or when the version cannot be read, the rule stays
    silent and the report's `stats.versions` says so.

Why it matters:
    What a public function returns goes straight to any client. Without `returns`, nothing stops
    a handler from leaking fields it never meant to expose (a whole user document with its
    email and tokens), and clients get no run-time guarantee about the shape they receive.
    A `returns` validator is checked by Convex on every call and rejects extra fields.

Example:
    export const me = query({
      args: {},
      handler: async (ctx) => {
        const identity = await ctx.auth.getUserIdentity();
        return identity ? await ctx.db.query("users").first() : null;
      },
    });

Fix:
    Declare the result: `returns: v.union(v.object({ _id: v.id("users"), name: v.string() }),
    v.null())`, or `returns: v.null()` for a function that returns nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo
from auditor.engine.versions import rule_allowed

RULE = RuleInfo("validators/missing-returns", "info", "Public function without a returns validator")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    if rule_allowed(project.convex_version, RULE.id) is not True:
        return  # `returns:` exists from convex 1.13.0; below it (or unknown) the advice cannot be followed
    for function in project.functions.values():
        if function.visibility != "public" or function.kind not in {"query", "mutation", "action"}:
            continue
        if function.syntax != "object" or function.has_returns:
            continue
        yield report.at(
            function.loc,
            f"Public {function.kind} `{function.function_id}` has no `returns` validator; whatever it returns "
            "reaches the client unchecked. Add `returns: ...` (`v.null()` when it returns nothing).",
            function=function,
        )
