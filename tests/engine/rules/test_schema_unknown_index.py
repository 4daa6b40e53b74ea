"""schema/unknown-index: .withIndex names an index the table does not have."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/unknown-index"

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      users: defineTable({
        clerkId: v.string(),
        email: v.string(),
        name: v.optional(v.string()),
        createdAt: v.number(),
      })
        .index("by_clerkId", ["clerkId"])
        .index("by_email", ["email"]),
      posts: defineTable({
        title: v.string(),
        content: v.string(),
        authorId: v.id("users"),
        published: v.boolean(),
      })
        .index("by_author", ["authorId"])
        .index("by_author_and_published", ["authorId", "published"])
        .searchIndex("search_content", { searchField: "content", filterFields: ["published"] }),
    });
"""

FLAGGED = [
    flagged("a renamed index and a search index typo", {
        "convex/schema.ts": SCHEMA,
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const getByAuthor = query({
              args: { authorId: v.id("users") },
              handler: async (ctx, args) => {
                return await ctx.db
                  .query("posts")
                  .withIndex("by_authorId", (q) => q.eq("authorId", args.authorId))
                  .collect();
              },
            });

            export const search = query({
              args: { text: v.string() },
              handler: async (ctx, { text }) =>
                await ctx.db.query("posts").withSearchIndex("search_body", (q) => q.search("content", text)).take(10),
            });
        """,
    }, ("convex/posts.ts", '"by_authorId"'), ("convex/posts.ts", '"search_body"')),
    flagged("an index of another table, in a helper", {
        "convex/schema.ts": SCHEMA,
        "convex/model/users.ts": """
            import { QueryCtx } from "../_generated/server";

            export async function postsByEmail(ctx: QueryCtx, email: string) {
              return await ctx.db.query("posts").withIndex("by_email", (q) => q.eq("email", email)).take(5);
            }
        """,
    }, ("convex/model/users.ts", '"by_email"')),
]

CLEAN = [
    clean("the seed's getByAuthor and the built-in indexes", {
        "convex/schema.ts": SCHEMA,
        "convex/posts.ts": """
            import { query } from "./_generated/server";
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

            export const recent = query({
              args: { since: v.number() },
              handler: async (ctx, { since }) => {
                const posts = await ctx.db.query("posts")
                  .withIndex("by_creation_time", (q) => q.gt("_creationTime", since)).take(20);
                const hits = await ctx.db.query("posts")
                  .withSearchIndex("search_content", (q) => q.search("content", "convex")).take(5);
                return [...posts, ...hits];
              },
            });
        """,
    }),
    clean("an unknown table is unknown-table's finding, and library tables are opaque", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { authTables } from "@convex-dev/auth/server";
            import { v } from "convex/values";
            export default defineSchema({ ...authTables, notes: defineTable({ text: v.string() }) });
        """,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            export const me = query({
              args: {},
              handler: async (ctx) => {
                const a = await ctx.db.query("users").withIndex("email", (q) => q.eq("email", "a@b.c")).first();
                const b = await ctx.db.query("comments").withIndex("by_note", (q) => q.eq("noteId", "x")).first();
                return [a, b];
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_indexes_missing_from_the_table(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_defined_builtin_and_unknowable_indexes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
