"""`.skip()` on a database query.

What it flags:
    `.skip(n)` chained on a `ctx.db.query(...)` builder, before any method that runs the query.

Why it matters:
    A Convex database query has no `skip` (or offset) method; the call throws at run time and
    fails to type-check. Offsets would also read and throw away every skipped document. It is
    one of the hard-deny checks of Convex's own lint hook for coding agents.

Example:
    const page = await ctx.db.query("posts").order("desc").skip(args.offset).take(20);

Fix:
    Paginate with a cursor: `.paginate(args.paginationOpts)` with `paginationOptsValidator`,
    or continue from the last document seen with an index range (`q.lt("_creationTime", t)`).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import missing_query_methods
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/query-skip-method", "error", "`.skip()` on a database query")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for call, loc, body in missing_query_methods(project, "skip"):
        yield report.at(
            loc,
            f'A database query has no `.skip()` method; ctx.db.query("{call.table or "..."}")...skip() throws. '
            "Paginate with `.paginate(paginationOpts)` or continue from a cursor with an index range.",
            body=body,
        )
