"""Action touches ctx.db.

What it flags:
    A `ctx.db` call in an `action`/`internalAction` handler, in an `httpAction` (exported or
    written inline in `http.route`), or in a project helper one of them calls, also across
    files. The finding sits at the `ctx.db` call.

Why it matters:
    Actions run outside Convex's transactions and have no `ctx.db`: the call throws
    `Cannot read properties of undefined` at runtime. Database access from an action goes
    through a query or mutation, each its own transaction.

Example:
    export const importFeed = action({
      args: { url: v.string() },
      handler: async (ctx, { url }) => {
        const items = await (await fetch(url)).json();
        for (const item of items) await ctx.db.insert("items", item);
      },
    });

Fix:
    Move the reads and writes into an `internalQuery`/`internalMutation` and call it with
    `ctx.runQuery(internal.items.get, ...)` / `ctx.runMutation(internal.items.save, ...)`,
    ideally once with all the data rather than once per item.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import bodies_of_kind, http_handler_bodies
from auditor.engine.model import BodyFacts, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("functions/action-uses-db", "error", "Action uses ctx.db")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    reached: list[tuple[str, BodyFacts]] = [
        (f"action `{function.function_id}`", body) for function, body in bodies_of_kind(project, {"action"})
    ]
    for handler, label in http_handler_bodies(project):
        reached.extend((f"HTTP action `{label}`", body) for body in project.reachable_bodies(handler))
    seen: set[str] = set()
    for caller, body in reached:
        if body.key in seen:
            continue
        seen.add(body.key)
        for call in body.db_calls:
            yield report.at(
                call.loc,
                f"`ctx.db.{call.method}` in the {caller}: actions have no `ctx.db`, so this throws at "
                "runtime. Read and write through `ctx.runQuery`/`ctx.runMutation` with an internal function.",
                body=body,
            )
