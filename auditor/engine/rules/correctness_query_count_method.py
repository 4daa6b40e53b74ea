"""`.count()` on a database query.

What it flags:
    `.count()` chained on a `ctx.db.query(...)` builder after `withIndex`, `filter`, `order`
    or another of its methods, before any method that runs the query. `.count()` straight on
    `ctx.db.query("t")` is left alone: the runtime has an internal, untyped whole-table count
    there. `.count()` on other things (an aggregate component's `aggregate.count(ctx)`, a
    library's table API) is not read.

Why it matters:
    A Convex database query has no `count` method once it is narrowed; the call throws at run
    time ("count is not a function") and fails to type-check. It is one of the hard-deny
    checks of Convex's own lint hook for coding agents.

Example:
    const open = await ctx.db.query("tickets").withIndex("by_status", (q) => q.eq("status", "open")).count();

Fix:
    For a small, bounded set, `(await query.take(limit)).length`. For a count that grows, keep
    a counter document updated by the mutations, or use the `@convex-dev/aggregate` component.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import missing_query_methods
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/query-count-method", "error", "`.count()` on a database query")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for call, loc, body in missing_query_methods(project, "count", after_builder=True):
        yield report.at(
            loc,
            f'A database query has no `.count()` method; ctx.db.query("{call.table or "..."}")...count() throws. '
            "Count a bounded `.take(n)`, or keep a counter (or the aggregate component) for large sets.",
            body=body,
        )
