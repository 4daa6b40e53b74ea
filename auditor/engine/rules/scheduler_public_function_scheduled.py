"""Public function scheduled or run from the server.

What it flags:
    `ctx.scheduler.runAfter`/`runAt`, `ctx.runQuery`/`runMutation`/`runAction`, and cron jobs
    (`crons.interval(...)`, `crons.cron(...)`, ...) whose target is an `api.*` reference
    instead of an `internal.*` one. Handlers, project helpers, inline HTTP route handlers and
    `convex/crons.ts` are all checked. A cron targeting `api.*` is reported by this rule alone.

Why it matters:
    Anything reachable through `api.*` is public: any client can call it directly, with any
    arguments, bypassing the code path that was meant to trigger it. Server-to-server calls and
    scheduled work should target internal functions, which only the backend can invoke.
    Convex's guidance is stricter here than the seed guide, whose examples schedule `api.*`.

Example:
    await ctx.scheduler.runAfter(0, api.actions.sendWelcomeEmail, { email: args.email });

Fix:
    Register the target with `internalAction`/`internalMutation`/`internalQuery` and reference
    it as `internal.actions.sendWelcomeEmail`. Keep a separate public wrapper only if clients
    really need to call it, and check auth there.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("scheduler/public-function-scheduled", "warning", "Public function scheduled or run from the server")

_VERB = {
    "runAfter": "ctx.scheduler.runAfter schedules",
    "runAt": "ctx.scheduler.runAt schedules",
    "runQuery": "ctx.runQuery runs",
    "runMutation": "ctx.runMutation runs",
    "runAction": "ctx.runAction runs",
}


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in convex_bodies(project):
        for call in body.run_calls:
            if call.target is None or call.target.namespace != "api":
                continue
            internal = f"internal.{str(call.target).split('.', 1)[1]}"
            yield report.at(
                call.loc,
                f"{_VERB.get(call.method, call.method)} the public function `{call.target}`; "
                f"make it internal and use `{internal}`.",
                body=body,
            )
    for cron in project.crons:
        if cron.target is None or cron.target.namespace != "api":
            continue
        internal = f"internal.{str(cron.target).split('.', 1)[1]}"
        yield report.at(
            cron.loc,
            f"Cron job {cron.name!r} runs the public function `{cron.target}`; make it internal and use "
            f"`{internal}`.",
        )
