"""schema/redundant-index: an index whose fields are a strict prefix of another on the same table."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/redundant-index"

FLAGGED = [
    flagged("the seed's by_author next to by_author_and_published", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              users: defineTable({
                clerkId: v.string(),
                email: v.string(),
              })
                .index("by_clerkId", ["clerkId"])
                .index("by_email", ["email"]),
              posts: defineTable({
                title: v.string(),
                authorId: v.id("users"),
                published: v.boolean(),
              })
                .index("by_author", ["authorId"])
                .index("by_published", ["published"])
                .index("by_author_and_published", ["authorId", "published"]),
            });
        """,
    }, ("convex/schema.ts", '.index("by_author"')),
    flagged("a chain of prefixes flags each shorter index once", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            const events = defineTable({ org: v.string(), kind: v.string(), at: v.number() })
              .index("by_org", ["org"])
              .index("by_org_kind", ["org", "kind"])
              .index("by_org_kind_at", ["org", "kind", "at"]);

            export default defineSchema({ events });
        """,
    }, ("convex/schema.ts", '.index("by_org"'), ("convex/schema.ts", '.index("by_org_kind"')),
]

CLEAN = [
    clean("different leading fields, other tables, search indexes, equal field lists", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              posts: defineTable({ authorId: v.string(), published: v.boolean(), body: v.string() })
                .index("by_published_author", ["published", "authorId"])
                .index("by_author", ["authorId"])
                .searchIndex("search_body", { searchField: "body", filterFields: ["authorId"] }),
              comments: defineTable({ authorId: v.string(), postId: v.string() })
                .index("by_author_post", ["authorId", "postId"]),
              likes: defineTable({ postId: v.string() })
                .index("by_post", ["postId"])
                .index("by_post_again", ["postId"]),
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_prefix_indexes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_indexes_that_are_not_prefixes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
