"""correctness/query-skip-method: `.skip()` on a database query."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/query-skip-method"

FLAGGED = [
    flagged("offset pagination with skip", {
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const page = query({
              args: { offset: v.number() },
              handler: async (ctx, { offset }) => ctx.db.query("posts").order("desc").skip(offset).take(20),
            });
        """,
    }, ("convex/posts.ts", ".skip(offset)")),
]

CLEAN = [
    clean("paginate, and skip on something that is not a database query", {
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            import { paginationOptsValidator } from "convex/server";
            import { v } from "convex/values";

            export const page = query({
              args: { paginationOpts: paginationOptsValidator, offset: v.number() },
              handler: async (ctx, { paginationOpts, offset }) => {
                const result = await ctx.db.query("posts").order("desc").paginate(paginationOpts);
                const cursor = { skip: (n: number) => n };
                return { ...result, next: cursor.skip(offset) };
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_skip_on_database_queries(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_paginate_and_other_skips(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
