"""Query writes to the database.

What it flags:
    A `ctx.db.insert`, `patch`, `replace` or `delete` call in a `query`/`internalQuery`
    handler, in a project helper the handler calls (also across files), or in its custom
    builder's context function. The finding sits at the write call, in whichever body it is
    written.

Why it matters:
    Queries are read-only: `ctx.db` in a query is a `DatabaseReader` and has no write methods,
    so the call fails at runtime (and in TypeScript when the types are used). Queries are also
    cached and re-run reactively; a write there would happen on every re-run.

Example:
    export const getOrCreate = query({
      args: { email: v.string() },
      handler: async (ctx, { email }) => {
        const user = await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", email)).unique();
        return user ?? (await ctx.db.insert("users", { email }));
      },
    });

Fix:
    Make the function a `mutation` (or split it: a query that reads and a mutation that
    writes, called by the client when needed).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import bodies_of_kind, body_owner_labels
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("functions/query-writes-db", "error", "Query writes to the database")


def check(project: ProjectFacts) -> Iterator[Finding]:
    labels = body_owner_labels(project)
    seen: set[str] = set()
    for function, body in bodies_of_kind(project, {"query"}):
        if body.key in seen:
            continue
        seen.add(body.key)
        for call in body.db_calls:
            if not call.is_write:
                continue
            via = "" if function.body is body else f" (reached from the query `{function.function_id}`)"
            yield RULE.finding(
                call.loc,
                f"`ctx.db.{call.method}` in a query{via}: queries are read-only and this call fails at "
                "runtime. Move the write to a mutation.",
                function=labels.get(body.key, body.key),
            )
