"""Convex call whose promise floats.

What it flags:
    A call to `ctx.db.*`, `ctx.scheduler.*`, `ctx.runQuery`/`runMutation`/`runAction` or
    `ctx.storage.*` used as a bare statement: its promise is neither awaited, returned, stored
    in a variable nor passed to another call (`Promise.all([...])`). A `.then(...)`/`.catch(...)`
    chained on it floats just the same. `void ctx.scheduler.runAfter(...)` is an explicit
    discard and is not flagged, nor is the synchronous `ctx.db.normalizeId`, nor a
    `ctx.db.query(...)` chain without a terminal (it is a query builder, not a promise).
    Handlers and project helpers are checked, with `ctx` under any name or destructured.

Why it matters:
    The function can return before the operation finishes. A write or a scheduled job may not
    happen, its error is lost instead of rolling back the mutation, and reads come back as
    `Promise` objects. Convex recommends the `no-floating-promises` lint for exactly this.

Example:
    export const send = mutation({
      args: { body: v.string() },
      handler: async (ctx, { body }) => {
        ctx.db.insert("messages", { body });
      },
    });

Fix:
    `await` the call (or return it, or collect several with `await Promise.all([...])`).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/floating-promise", "warning", "Convex call whose promise is not awaited")

_RUNS = frozenset({"ctx.runQuery", "ctx.runMutation", "ctx.runAction"})
_AREAS = ("ctx.db.", "ctx.scheduler.", "ctx.storage.")
_SYNCHRONOUS = frozenset({"ctx.db.normalizeId"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in convex_bodies(project):
        builders = {
            (call.loc.line, call.loc.column)
            for call in body.db_calls
            if call.method == "query" and call.terminal is None
        }
        for name, loc in body.floating_promises:
            if name in _SYNCHRONOUS or not (name in _RUNS or name.startswith(_AREAS)):
                continue
            if name == "ctx.db.query" and (loc.line, loc.column) in builders:
                continue
            yield report.at(
                loc,
                f"The promise of `{name}(...)` is not awaited, returned or stored; the function can finish "
                "before it does and its error is lost. Add `await`.",
                body=body,
            )
