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

from auditor.engine.derive import distinct_bodies_of_kind
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("functions/query-writes-db", "error", "Query writes to the database")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for reached in distinct_bodies_of_kind(project, {"query"}):
        body = reached.body
        for call in body.db_calls:
            if not call.is_write:
                continue
            yield report.at(
                call.loc,
                f"`ctx.db.{call.method}` in a query{reached.via}: queries are read-only and this call fails at "
                "runtime. Move the write to a mutation.",
                body=reached.body,
            )
