"""schema/unindexed-filter: .filter on a field no index starts with."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/unindexed-filter"

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      posts: defineTable({
        title: v.string(),
        authorId: v.id("users"),
        published: v.boolean(),
        category: v.string(),
      })
        .index("by_author", ["authorId"])
        .index("by_author_and_published", ["authorId", "published"]),
      users: defineTable({ email: v.string() }),
    });
"""

FLAGGED = [
    flagged("filter on fields without an index", {
        "convex/schema.ts": SCHEMA,
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const byCategory = query({
              args: { category: v.string() },
              handler: async (ctx, { category }) => {
                return await ctx.db
                  .query("posts")
                  .filter((q) => q.eq(q.field("category"), category))
                  .take(20);
              },
            });

            export const published = query({
              args: {},
              handler: async (ctx) =>
                await ctx.db.query("posts").order("desc").filter((q) => q.eq(q.field("published"), true)).take(10),
            });
        """,
    }, ("convex/posts.ts", ".filter((q) => q.eq(q.field(\"category\")"), ("convex/posts.ts", "q.field(\"published\")")),
    flagged("filter in a helper on a table without indexes", {
        "convex/schema.ts": SCHEMA,
        "convex/lib/users.ts": """
            import { QueryCtx } from "../_generated/server";

            export async function userByEmail(ctx: QueryCtx, email: string) {
              return await ctx.db.query("users").filter((q) => q.eq(q.field("email"), email)).first();
            }
        """,
    }, ("convex/lib/users.ts", ".filter(")),
]

CLEAN = [
    clean("filters after an index, on a field an index starts with, and on system fields", {
        "convex/schema.ts": SCHEMA,
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const drafts = query({
              args: { authorId: v.id("users") },
              handler: async (ctx, { authorId }) => {
                const mine = await ctx.db
                  .query("posts")
                  .withIndex("by_author", (q) => q.eq("authorId", authorId))
                  .filter((q) => q.eq(q.field("category"), "draft"))
                  .take(10);
                const theirs = await ctx.db
                  .query("posts")
                  .filter((q) => q.eq(q.field("authorId"), authorId))
                  .take(10);
                const old = await ctx.db
                  .query("posts")
                  .filter((q) => q.lt(q.field("_creationTime"), Date.now() - 1000))
                  .take(10);
                return [...mine, ...theirs, ...old];
              },
            });
        """,
    }),
    clean("an array filter after collect, and tables the schema cannot describe", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { authTables } from "@convex-dev/auth/server";
            import { v } from "convex/values";
            export default defineSchema({ ...authTables,
              tags: defineTable({ name: v.string() }).index("by_name", ["name"]) });
        """,
        "convex/tags.ts": """
            import { query } from "./_generated/server";
            export const short = query({
              args: {},
              handler: async (ctx) => {
                const tags = await ctx.db.query("tags").withIndex("by_name").collect();
                const users = await ctx.db.query("users").filter((q) => q.eq(q.field("email"), "a@b.c")).first();
                return [tags.filter((t) => t.name.length < 4), users];
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_filters_no_index_covers(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_indexed_and_unknowable_filters(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
