"""schema/invalid-index-definition: indexes Convex rejects at deploy."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/invalid-index-definition"

MANY = "".join(f'\n      .index("by_f{n}", ["f{n}"])' for n in range(33))

FLAGGED = [
    flagged("system fields, a reserved name, a repeated name, too many fields", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              messages: defineTable({ channel: v.string(), body: v.string(), embedding: v.array(v.float64()) })
                .index("by_channel", ["channel", "_creationTime"])
                .index("by_creation_time", ["body"])
                .index("by_body", ["body"])
                .vectorIndex("by_body", { vectorField: "embedding", dimensions: 8 })
                .index("by_everything", ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
                  "p", "q"]),
            });
        """,
    }, ("convex/schema.ts", '"_creationTime"'), ("convex/schema.ts", '"by_creation_time"'),
       ("convex/schema.ts", '.vectorIndex("by_body"'), ("convex/schema.ts", '"by_everything"')),
    flagged("more than 32 indexes on a table", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              wide: defineTable({ f0: v.string() })""" + MANY + """,
            });
        """,
    }, ("convex/schema.ts", "wide: defineTable")),
]

CLEAN = [
    clean("ordinary indexes, a search index, the same name on two tables, and authTables", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { authTables } from "@convex-dev/auth/server";
            import { v } from "convex/values";

            export default defineSchema({
              ...authTables,
              messages: defineTable({ channel: v.string(), body: v.string(), author: v.string() })
                .index("by_channel", ["channel"])
                .index("by_channel_author", ["channel", "author"])
                .searchIndex("search_body", { searchField: "body", filterFields: ["channel"] }),
              threads: defineTable({ channel: v.string() }).index("by_channel", ["channel"]),
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_indexes_convex_rejects(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_valid_indexes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
