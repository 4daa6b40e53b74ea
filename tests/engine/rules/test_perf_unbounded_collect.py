"""perf/unbounded-collect: .collect() without an index range or a limit."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "perf/unbounded-collect"

FLAGGED = [
    flagged("a whole-table collect, a filter and an index without a range", {
        "convex/messages.ts": """
            import { query, internalMutation } from "./_generated/server";
            import { v } from "convex/values";

            export const all = query({
              args: {},
              handler: async (ctx) => {
                return await ctx.db.query("messages").collect();
              },
            });

            export const byAuthor = query({
              args: { author: v.string() },
              handler: async (ctx, { author }) =>
                await ctx.db
                  .query("messages")
                  .filter((q) => q.eq(q.field("author"), author))
                  .collect(),
            });

            export const wipe = internalMutation({
              args: {},
              handler: async (ctx) => {
                const rows = await ctx.db.query("messages").withIndex("by_creation_time").order("desc").collect();
                for (const row of rows) await ctx.db.delete(row._id);
              },
            });
        """,
    }, ("convex/messages.ts", 'ctx.db.query("messages").collect()'), ("convex/messages.ts", ".collect(),"),
       ("convex/messages.ts", 'withIndex("by_creation_time")')),
    flagged("in a helper", {
        "convex/lib/users.ts": """
            export async function everyone(ctx: any) {
              return await ctx.db.query("users").collect();
            }
        """,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            import { everyone } from "./lib/users";

            export const count = query({ args: {}, handler: async (ctx) => (await everyone(ctx)).length });
        """,
    }, ("convex/lib/users.ts", ".collect()")),
]

CLEAN = [
    clean("the seed's indexed query, search, take, first, unique and paginate", {
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            import { paginationOptsValidator } from "convex/server";
            import { v } from "convex/values";

            export const getByAuthor = query({
              args: { authorId: v.id("users") },
              handler: async (ctx, args) => {
                return await ctx.db
                  .query("posts")
                  .withIndex("by_author", (q) => q.eq("authorId", args.authorId))
                  .collect();
              },
            });

            export const search = query({
              args: { text: v.string() },
              handler: async (ctx, { text }) =>
                await ctx.db.query("posts").withSearchIndex("search_body", (q) => q.search("body", text)).collect(),
            });

            export const latest = query({
              args: {},
              handler: async (ctx) => await ctx.db.query("posts").order("desc").take(10),
            });

            export const first = query({ args: {}, handler: async (ctx) => await ctx.db.query("posts").first() });

            export const page = query({
              args: { paginationOpts: paginationOptsValidator },
              handler: async (ctx, { paginationOpts }) => await ctx.db.query("posts").paginate(paginationOpts),
            });
        """,
    }),
    clean("collect on something that is not a Convex query", {
        "convex/stats.ts": """
            import { query } from "./_generated/server";

            const stream = { collect: async () => [] as number[] };

            export const values = query({ args: {}, handler: async () => await stream.collect() });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_unbounded_collects(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_bounded_reads(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
