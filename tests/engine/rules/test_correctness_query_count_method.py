"""correctness/query-count-method: `.count()` on a database query."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/query-count-method"

FLAGGED = [
    flagged("count after an index, a filter and an order, in a handler and a helper", {
        "convex/tickets.ts": """
            import { query } from "./_generated/server";
            import type { QueryCtx } from "./_generated/server";

            async function openCount(ctx: QueryCtx) {
              return ctx.db.query("tickets").withIndex("by_status", (q) => q.eq("status", "open")).count();
            }

            export const stats = query({
              args: {},
              handler: async (ctx) => {
                const total = await ctx.db.query("tickets").order("desc").count();
                const mine = await ctx.db.query("tickets").filter((q) => q.eq(q.field("owner"), "me")).count();
                return { total, mine, open: await openCount(ctx) };
              },
            });
        """,
    }, ("convex/tickets.ts", '.withIndex("by_status"'), ("convex/tickets.ts", "const total"),
        ("convex/tickets.ts", "const mine")),
]

CLEAN = [
    clean("an aggregate component's count, array lengths, a count field, and the internal table count", {
        "convex/tickets.ts": """
            import { query } from "./_generated/server";
            import { TableAggregate } from "@convex-dev/aggregate";
            import { components } from "./_generated/api";

            const byStatus = new TableAggregate(components.aggregate, { sortKey: (d) => d.status });

            export const stats = query({
              args: {},
              handler: async (ctx) => {
                const total = await byStatus.count(ctx);
                const everything = await ctx.db.query("tickets").count();
                const rows = await ctx.db.query("tickets").take(100);
                const counter = await ctx.db.query("counters").first();
                const stats = await ctx.db.query("tickets").collect().then((all) => all.length);
                return { total, everything, sample: rows.length, stored: counter?.count, stats };
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_count_on_database_queries(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_aggregates_and_arrays(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
