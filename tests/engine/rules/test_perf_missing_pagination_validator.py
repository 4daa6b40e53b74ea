"""perf/missing-pagination-validator: .paginate(args.x) without x in args."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "perf/missing-pagination-validator"

FLAGGED = [
    flagged("args.paginationOpts and a destructured paginationOpts", {
        "convex/messages.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const list = query({
              args: { channel: v.id("channels") },
              handler: async (ctx, args) =>
                ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channel", args.channel))
                  .paginate(args.paginationOpts),
            });

            export const recent = query({
              args: v.object({}),
              handler: async (ctx, { paginationOpts }) => {
                return await ctx.db.query("messages").order("desc").paginate(paginationOpts);
              },
            });
        """,
    }, ("convex/messages.ts", ".paginate(args.paginationOpts)"), ("convex/messages.ts", ".paginate(paginationOpts)")),
]

CLEAN = [
    clean("declared, spread from elsewhere, no args at all, another object paginated", {
        "convex/messages.ts": """
            import { query } from "./_generated/server";
            import { paginationOptsValidator } from "convex/server";
            import { v } from "convex/values";
            import { pageArgs } from "./lib/args";

            export const list = query({
              args: { channel: v.id("channels"), paginationOpts: paginationOptsValidator },
              handler: async (ctx, args) => ctx.db.query("messages").paginate(args.paginationOpts),
            });

            export const shared = query({
              args: { ...pageArgs },
              handler: async (ctx, args) => ctx.db.query("messages").paginate(args.paginationOpts),
            });

            export const loose = query(async (ctx, args: any) => ctx.db.query("messages").paginate(args.opts));

            export const fixed = query({
              args: {},
              handler: async (ctx, args) => ctx.db.query("messages").paginate({ numItems: 10, cursor: null }),
            });
        """,
        "convex/lib/args.ts": """
            import { paginationOptsValidator } from "convex/server";
            export const pageArgs = { paginationOpts: paginationOptsValidator };
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_pagination_options_missing_from_args(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_declared_or_unknowable_args(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
