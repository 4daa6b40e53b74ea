"""Array filter on a .collect() result.

What it flags:
    An array `.filter(...)` on the result of `ctx.db.query(...)....collect()`, written inline
    (`(await ctx.db.query("t").collect()).filter(...)`) or through a local of the same body
    (`const rows = await ...collect(); rows.filter(...)`), whose callback compares a field of
    the row with `===`/`==` (`(r) => r.status === "open"`, `({ ownerId }) => ownerId === me`):
    a condition an index range answers. Filters on computed conditions are left alone.
    Reported at `.filter`.

Why it matters:
    The database reads and sends every document of the query, and the function then throws
    most of them away. Read cost, bandwidth and conflict surface grow with the table instead of
    with the result, and a query re-runs whenever any of the collected documents changes.

Example:
    const tasks = await ctx.db.query("tasks").collect();
    return tasks.filter((task) => task.projectId === args.projectId);

Fix:
    Add an index on the compared field(s) and read only the matching range:
    `.index("by_project", ["projectId"])`, then
    `ctx.db.query("tasks").withIndex("by_project", (q) => q.eq("projectId", args.projectId)).collect()`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("perf/collect-then-filter", "warning", "Array filter on a .collect() result")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in convex_bodies(project):
        for field, loc in body.collect_filters:
            yield report.at(
                loc,
                f'Every document is collected and then filtered in memory on "{field}"; an index on "{field}" '
                "reads only the matching ones.",
                body=body,
            )
