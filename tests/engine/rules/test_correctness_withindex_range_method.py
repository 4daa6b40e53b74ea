"""correctness/withindex-range-method: `.range()` on the index range builder."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/withindex-range-method"

FLAGGED = [
    flagged("range after eq, and range straight on the builder", {
        "convex/alerts.ts": """
            import { query } from "./_generated/server";

            export const due = query({
              args: {},
              handler: async (ctx) => {
                const now = 0;
                const open = await ctx.db
                  .query("alerts")
                  .withIndex("by_status_time", (q) => q.eq("status", "open").range((r) => r.lte("at", now)))
                  .collect();
                const all = await ctx.db.query("alerts").withIndex("by_time", (q) => q.range(0, now)).take(5);
                return [open, all];
              },
            });
        """,
    }, ("convex/alerts.ts", ".range((r)"), ("convex/alerts.ts", "q.range(0")),
]

CLEAN = [
    clean("chained bounds, and .range on arrays and libraries inside and around the callback", {
        "convex/alerts.ts": """
            import { query } from "./_generated/server";
            import { range } from "./lib/numbers";

            export const due = query({
              args: {},
              handler: async (ctx) => {
                const window = range(0, 10);
                const days = ["mon", "tue"];
                const rows = await ctx.db
                  .query("alerts")
                  .withIndex("by_status_time", (q) => q.eq("status", days.range ? "x" : "o").gte("at", 0).lt("at", 9))
                  .collect();
                const hits = await ctx.db
                  .query("alerts")
                  .withSearchIndex("search_body", (q) => q.search("body", "x").eq("status", "open"))
                  .take(5);
                return [window, rows, hits, window.range(1)];
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_range_on_the_index_range_builder(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_chained_bounds_and_other_range_methods(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
