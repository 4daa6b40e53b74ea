"""v.any() in a public mutation's or action's arguments.

What it flags:
    `v.any()` anywhere in the `args` of a public `mutation` or `action` (custom builders count as
    their base kind): as the whole `args`, as one argument, or nested in an object, array,
    record or union. Queries and internal functions are not flagged.

Why it matters:
    A public mutation or action is callable by anyone with the deployment URL. `v.any()` turns
    off validation for that value, so a caller can send objects where strings were expected,
    extra fields that a handler spreads into a write, or values large enough to hurt. It is the
    argument-validation hole that `args` exists to close.

Example:
    export const saveSettings = mutation({
      args: { settings: v.any() },
      handler: async (ctx, { settings }) => {
        await ctx.db.insert("settings", settings);
      },
    });

Fix:
    Describe the value: `v.object({ theme: v.union(v.literal("light"), v.literal("dark")) })`,
    `v.record(v.string(), v.string())`, or a shared validator from the schema
    (`schema.tables.settings.validator`).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts, Validator
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("validators/any-in-public-args", "warning", "v.any() in a public mutation's or action's args")


def _any_validators(validator: Validator) -> list[Validator]:
    return [current for current in validator.walk() if current.kind == "any"]


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function in project.functions.values():
        if function.visibility != "public" or function.kind not in {"mutation", "action"}:
            continue
        if function.args_validator is None:
            continue
        for validator in _any_validators(function.args_validator):
            loc = validator.loc or function.args_loc or function.loc
            yield report.at(
                loc,
                f"`v.any()` in the args of the public {function.kind} `{function.function_id}`: any client can "
                "send any value there. Describe the value with a precise validator.",
                function=function,
            )
