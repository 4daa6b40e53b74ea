"""schema/foreign-key-without-index: a v.id field that no index of its table starts with."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/foreign-key-without-index"

FLAGGED = [
    flagged("references with no index or only as a second index field", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              channels: defineTable({ name: v.string() }),
              users: defineTable({ name: v.string(), tokenIdentifier: v.string() })
                .index("by_token", ["tokenIdentifier"]),
              messages: defineTable({
                channelId: v.id("channels"),
                authorId: v.id("users"),
                replyTo: v.optional(v.id("messages")),
                body: v.string(),
              }).index("by_author_channel", ["authorId", "channelId"]),
              files: defineTable({ storageId: v.id("_storage"), uploadedBy: v.union(v.id("users"), v.null()) }),
            });
        """,
    }, ("convex/schema.ts", 'channelId: v.id("channels")'), ("convex/schema.ts", "replyTo:"),
       ("convex/schema.ts", "uploadedBy:")),
]

CLEAN = [
    clean("every reference leads an index; auth tables come from a library", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { authTables } from "@convex-dev/auth/server";
            import { v } from "convex/values";

            export default defineSchema({
              ...authTables,
              channels: defineTable({ name: v.string() }),
              messages: defineTable({
                channelId: v.id("channels"),
                authorId: v.id("users"),
                tags: v.array(v.string()),
                meta: v.object({ editedBy: v.optional(v.string()) }),
              })
                .index("by_channel", ["channelId", "_creationTime"])
                .index("by_author", ["authorId"]),
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_references_without_a_leading_index(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_indexed_references(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
