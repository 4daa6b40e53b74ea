"""String given as a function reference.

What it flags:
    `ctx.runQuery`, `ctx.runMutation`, `ctx.runAction`, `ctx.scheduler.runAfter` or `runAt`
    given a string literal (or a constant holding one) such as `"messages:send"` where the
    function reference belongs, in TypeScript files of projects on Convex 1.0 or later. A
    string cast with `as` (a deliberate escape from the types), and a function handle string
    (`"function://..."`), are left alone.

Why it matters:
    These APIs take an `api.*`/`internal.*` reference. A string does not type-check, so
    `convex dev` and `convex deploy` refuse the push while they type-check (their default);
    and a rename of the target is no longer caught anywhere. It is one of the hard-deny
    checks of Convex's own lint hook for coding agents.

Example:
    await ctx.scheduler.runAfter(0, "emails:send", { to });

Fix:
    `await ctx.scheduler.runAfter(0, internal.emails.send, { to });` with `internal` from
    `./_generated/api`. For a name only known at run time, `makeFunctionReference` from
    `convex/server`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo
from auditor.engine.versions import rule_allowed

RULE = RuleInfo("correctness/run-with-string-ref", "error", "String given as a function reference")

TYPESCRIPT = (".ts", ".tsx", ".mts", ".cts")
_CALL = {"runAfter": "ctx.scheduler.runAfter", "runAt": "ctx.scheduler.runAt"}


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    if rule_allowed(project.convex_version, RULE.id) is not True:
        return
    for body in convex_bodies(project):
        if not body.path.endswith(TYPESCRIPT):
            continue
        for call in body.run_calls:
            if call.target_string is None:
                continue
            module, _, name = call.target_string.rpartition(":")
            suggestion = (f"`internal.{module.removesuffix('.js').replace('/', '.')}.{name or 'default'}`"
                          if module else "an `api.*`/`internal.*` reference")
            yield report.at(
                call.loc,
                f'`{_CALL.get(call.method, f"ctx.{call.method}")}` is given the string "{call.target_string}" '
                f"instead of a function reference; it does not type-check, so a push that type-checks fails. Pass "
                f"{suggestion} (or `api.*`) from `_generated/api`.",
                body=body,
            )
