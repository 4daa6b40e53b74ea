"""correctness/unsupported-validator: v.map() and v.set(), which convex/values does not have."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/unsupported-validator"

FLAGGED = [
    flagged("v.map in the schema and v.set in args under another local name", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              scores: defineTable({ byPlayer: v.map(v.string(), v.number()) }),
            });
        """,
        "convex/tags.ts": """
            import { mutation } from "./_generated/server";
            import { v as val } from "convex/values";

            export const set = mutation({
              args: { tags: val.set(val.string()) },
              handler: async (ctx, { tags }) => {
                await ctx.db.insert("tags", { tags: [...tags] });
              },
            });
        """,
    }, ("convex/schema.ts", "v.map("), ("convex/tags.ts", "val.set(")),
]

CLEAN = [
    clean("v.record and v.array, and a .map() on an array or a Map", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              scores: defineTable({ byPlayer: v.record(v.string(), v.number()), tags: v.array(v.string()) }),
            });
        """,
        "convex/scores.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const list = query({
              args: {},
              handler: async (ctx) => {
                const rows = await ctx.db.query("scores").take(10);
                const seen = new Map();
                seen.set("a", 1);
                return rows.map((row) => row.byPlayer);
              },
            });
        """,
    }),
    clean("a v of another library", {
        "convex/lib/shapes.ts": """
            import * as v from "valibot";
            export const Tags = v.set(v.string());
            export const Scores = v.map(v.string(), v.number());
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_v_map_and_v_set(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_existing_validators_and_other_libraries(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
