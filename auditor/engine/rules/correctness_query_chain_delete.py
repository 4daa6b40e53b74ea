"""`.delete()` chained on a database query.

What it flags:
    `.delete()` called on a `ctx.db.query("t")` builder, after any of its links
    (`ctx.db.query("t").withIndex(...).delete()`). The query builder has no `delete` method:
    documents are deleted one at a time with `ctx.db.delete(id)`. The finding sits at the
    `ctx.db.query` call.

Why it matters:
    The call throws "delete is not a function" the first time the mutation runs, after the
    caller was told it would clean up: nothing is deleted. TypeScript catches it only where the
    project type-checks its Convex folder.

Example:
    await ctx.db.query("sessions").withIndex("by_user", (q) => q.eq("userId", userId)).delete();

Fix:
    Read the documents, then delete each one:
    const sessions = await ctx.db.query("sessions").withIndex("by_user", (q) => q.eq("userId", userId)).collect();
    for (const session of sessions) await ctx.db.delete(session._id);
    For large tables, delete a page at a time and schedule the rest.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/query-chain-delete", "error", ".delete() on a database query, which has no such method")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in convex_bodies(project):
        for call in body.db_calls:
            if call.method != "query" or "delete" not in call.chain:
                continue
            table = f'"{call.table}"' if call.table else "..."
            yield report.at(
                call.loc,
                f"`ctx.db.query({table})...delete()` throws: a query has no `delete` method. Collect the documents "
                "(or a page of them) and call `ctx.db.delete(doc._id)` for each.",
                body=body,
            )
