"""Unbounded .collect() on a query.

What it flags:
    `ctx.db.query("t")...collect()` where the chain has neither an index range
    (`.withIndex("name", (q) => ...)` with a range callback, or `.withSearchIndex(...)`) nor
    `.take`, `.paginate`, `.first` or `.unique`. `.withIndex("name")` without a range reads the
    whole table in index order and is flagged too. The finding sits at `.collect`. Queries
    assembled across several statements (`let q = ctx.db.query(...); ... q.collect()`) are not
    followed.

Why it matters:
    `.collect()` loads every matching document into memory. On a growing table that reads
    more and more documents per call, invalidates the query on every write to the table,
    and eventually hits Convex's per-transaction read limits.

Example:
    const all = await ctx.db.query("messages").collect();

Fix:
    Narrow the read with an index range (`.withIndex("by_channel", (q) => q.eq("channel", id))`),
    bound it with `.take(n)`, or paginate with `.paginate(paginationOpts)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("perf/unbounded-collect", "info", ".collect() without an index range or a limit")

_BOUNDED = frozenset({"take", "paginate", "first", "unique"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in convex_bodies(project):
        for call in body.db_calls:
            if call.method != "query" or call.terminal != "collect" or call.terminal_loc is None:
                continue
            if _BOUNDED.intersection(call.chain):
                continue
            if call.index_kind == "search" or (call.index_kind == "regular" and call.index_has_range):
                continue
            table = f'"{call.table}"' if call.table else "a table"
            how = f'the index "{call.index}" without a range' if call.index else "no index"
            yield report.at(
                call.terminal_loc,
                f".collect() reads every document of {table} ({how}, no limit); use an index range, "
                ".take(n) or .paginate().",
                body=body,
            )
