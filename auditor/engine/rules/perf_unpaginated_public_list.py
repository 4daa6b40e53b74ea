"""Public query returning a whole .collect().

What it flags:
    A public `query` whose handler returns the result of `ctx.db.query(...)....collect()` to
    the client: directly (`return await ctx.db.query("t")...collect()`, or as an arrow
    function's body), through a local of the handler (`const rows = await ...collect();
    return rows;`), or mapped or filtered (`return rows.map(...)`,
    `return Promise.all(rows.map(...))`), also through a local holding the mapped or filtered
    list (`const withUrls = await Promise.all(rows.map(...)); return withUrls;`). Reported at
    that `.collect`. Lists built by project
    helpers are not followed; internal queries are not flagged.

Why it matters:
    The list grows with the table (or with the index range), and every client subscribed to
    the query receives all of it again whenever any document in it changes. Past a few hundred
    items that is slow pages, heavy bandwidth and eventually the query's read limits.

Example:
    export const list = query({
      args: { channelId: v.id("channels") },
      handler: async (ctx, { channelId }) =>
        await ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channelId", channelId)).collect(),
    });

Fix:
    Paginate: take `paginationOpts: paginationOptsValidator` in `args`, return
    `.paginate(args.paginationOpts)`, and read it with `usePaginatedQuery` on the client. For a
    list that is bounded by design, return `.take(n)` to make the bound explicit.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("perf/unpaginated-public-list", "warning", "Public query returning a whole .collect()")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function in project.functions.values():
        if function.kind != "query" or function.visibility != "public" or function.body is None:
            continue
        for loc in function.body.returned_collects:
            yield report.at(
                loc,
                f"The public query `{function.function_id}` returns every collected document to the client; paginate "
                "with .paginate(paginationOpts) or bound it with .take(n).",
                function=function,
            )
