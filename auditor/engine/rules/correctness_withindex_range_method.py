"""`.range()` inside a withIndex callback.

What it flags:
    A `.range(...)` call on the index range builder a `ctx.db.query(...).withIndex(name, q =>
    ...)` callback receives, directly (`q.range(...)`) or after other bounds
    (`q.eq("a", x).range(...)`). Only `withIndex` callbacks are read: `.range` on anything
    else (an array, a date library, a search filter) is not this rule's business.

Why it matters:
    The index range builder has `eq`, `gt`, `gte`, `lt` and `lte`, chained directly; it has
    no `range` method, so the query throws "range is not a function" the first time it runs
    (and fails to type-check before that). It is one of the hard-deny checks of Convex's own
    lint hook for coding agents.

Example:
    ctx.db
      .query("alerts")
      .withIndex("by_status_time", (q) => q.eq("status", "open").range((r) => r.lte("at", now)))

Fix:
    Chain the bounds: `q.eq("status", "open").lte("at", now)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/withindex-range-method", "error", "`.range()` inside a withIndex callback")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in convex_bodies(project):
        for call in body.db_calls:
            for name, loc in call.index_range_calls:
                if name == "range":
                    yield report.at(
                        loc,
                        f'`.range()` is not a method of the index range builder of withIndex("{call.index}"); '
                        "chain the bounds instead: `q.eq(...).gte(...).lt(...)`.",
                        body=body,
                    )
