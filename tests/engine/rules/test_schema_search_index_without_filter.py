"""schema/search-index-without-filter: a search index with no filterFields."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/search-index-without-filter"

FLAGGED = [
    flagged("search indexes without or with empty filter fields", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              messages: defineTable({ body: v.string(), channelId: v.id("channels") })
                .index("by_channel", ["channelId"])
                .searchIndex("search_body", { searchField: "body" }),
              documents: defineTable({ title: v.string(), ownerId: v.string() })
                .searchIndex("search_title", {
                  searchField: "title",
                  filterFields: [],
                }),
              channels: defineTable({ name: v.string() }),
            });
        """,
    }, ("convex/schema.ts", '.searchIndex("search_body"'), ("convex/schema.ts", '.searchIndex("search_title"')),
]

CLEAN = [
    clean("scoped search, vector and regular indexes", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              messages: defineTable({ body: v.string(), channelId: v.id("channels"), embedding: v.array(v.float64()) })
                .index("by_channel", ["channelId"])
                .searchIndex("search_body", { searchField: "body", filterFields: ["channelId"] })
                .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 1536 }),
              channels: defineTable({ name: v.string() }),
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_search_indexes_without_filters(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_scoped_search_and_other_indexes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
