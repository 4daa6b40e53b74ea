"""Current time read inside a query.

What it flags:
    `Date.now()` or `new Date()` (without arguments) in a `query`/`internalQuery` handler, in a
    project helper such a handler calls, or in its custom builder's context function. The
    finding sits at the call, in whichever body it is written. `new Date(timestamp)` is
    deterministic and not flagged. This rule alone reports the time read; no other rule
    repeats it.

Why it matters:
    Convex caches query results and re-runs a query only when the data it read changes. A query
    that compares against the clock is cached with the time of its first run, so results such
    as "posts published before now" or "sessions not yet expired" go stale without any
    reactivity, and the cache hit rate drops.

Example:
    export const live = query({
      args: {},
      handler: async (ctx) => {
        const now = Date.now();
        return (await ctx.db.query("events").take(100)).filter((e) => e.endsAt > now);
      },
    });

Fix:
    Pass the time in as an argument rounded to a coarse granularity (the client re-subscribes
    when it changes), or store the state (a `status` or `expired` flag) and update it from a
    scheduled mutation or cron.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import distinct_bodies_of_kind
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("perf/date-now-in-query", "warning", "Date.now() or new Date() inside a query")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for reached in distinct_bodies_of_kind(project, {"query"}):
        body = reached.body
        for loc in body.date_now:
            yield report.at(
                loc,
                f"The current time is read inside a query{reached.via}; the result is cached with that time and "
                "never refreshes as time passes. Pass the time as an argument or store the state.",
                body=reached.body,
            )
