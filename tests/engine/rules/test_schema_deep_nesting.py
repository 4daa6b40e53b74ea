"""schema/deep-nesting: validators nested more than three objects or arrays deep."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/deep-nesting"

FLAGGED = [
    flagged("a page builder document and a deep argument", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              pages: defineTable({
                title: v.string(),
                layout: v.object({
                  sections: v.array(
                    v.object({
                      blocks: v.optional(v.array(v.object({ text: v.string() }))),
                    }),
                  ),
                }),
              }),
            });
        """,
        "convex/pages.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const save = mutation({
              args: {
                pageId: v.id("pages"),
                tree: v.array(v.object({ children: v.array(v.array(v.string())) })),
              },
              handler: async (ctx, { pageId }) => {
                await ctx.db.patch(pageId, { title: "saved" });
              },
            });
        """,
    }, ("convex/schema.ts", "blocks:"), ("convex/pages.ts", "tree:")),
]

CLEAN = [
    clean("three levels, unions and records", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            const address = v.object({ street: v.string(), city: v.string() });

            export default defineSchema({
              orders: defineTable({
                shipping: v.object({
                  address,
                  lines: v.array(v.object({ sku: v.string(), qty: v.number() })),
                }),
                metadata: v.optional(v.record(v.string(), v.union(v.string(), v.object({ at: v.number() })))),
                status: v.union(v.literal("open"), v.literal("paid")),
              }),
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_validators_nested_four_levels(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_three_levels(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
