"""schema/unindexed-filter: .filter on a field with no index used; the message names the index to use or to add."""

from __future__ import annotations

import pytest

from tests.engine.helpers import audit_project, check_case, clean, flagged

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
    flagged("the database taken from the context in the body: destructured, or as a property", {
        "convex/schema.ts": SCHEMA,
        "convex/posts.ts": """
            import { mutation, query } from "./_generated/server";
            import { v } from "convex/values";

            export const rename = mutation({
              args: { category: v.string(), title: v.string() },
              handler: async (mutationCtx, args) => {
                const { db } = mutationCtx;
                const post = await db.query("posts").filter((q) => q.eq(q.field("category"), args.category)).first();
                if (post) await db.patch(post._id, { title: args.title });
              },
            });

            export const firstPublished = query({
              args: {},
              handler: async (ctx) => {
                const database = ctx.db;
                return await database.query("posts").filter((q) => q.eq(q.field("published"), true)).first();
              },
            });
        """,
    }, ("convex/posts.ts", "q.field(\"category\")"), ("convex/posts.ts", "q.field(\"published\")")),
]

FLAGGED += [
    flagged("a filter on a field an index starts with, the index left unused (also authTables' users.email)", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { authTables } from "@convex-dev/auth/server";
            import { v } from "convex/values";
            export default defineSchema({ ...authTables,
              posts: defineTable({ authorId: v.id("users"), title: v.string() }).index("by_author", ["authorId"]) });
        """,
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const theirs = query({
              args: { authorId: v.id("users") },
              handler: async (ctx, { authorId }) => {
                const posts = await ctx.db.query("posts").filter((q) => q.eq(q.field("authorId"), authorId)).take(10);
                const user = await ctx.db.query("users").filter((q) => q.eq(q.field("email"), "a@b.c")).first();
                return [posts, user];
              },
            });
        """,
    }, ("convex/posts.ts", '"posts").filter('), ("convex/posts.ts", '"users").filter(')),
]


def test_it_names_the_index_to_use_or_the_index_to_add(tmp_path):
    files = dict(FLAGGED[-1].files)
    files["convex/more.ts"] = """
        import { query } from "./_generated/server";
        export const byTitle = query({
          args: {},
          handler: async (ctx) => await ctx.db.query("posts").filter((q) => q.eq(q.field("title"), "x")).first(),
        });
    """
    report = audit_project(tmp_path, files)
    messages = "\n".join(f.message for f in report.active_findings if f.rule == RULE_ID)
    assert 'use `.withIndex("by_author", (q) => q.eq("authorId", ...))` instead' in messages
    assert 'use `.withIndex("email", (q) => q.eq("email", ...))` instead' in messages
    assert 'add `.index("by_title", ["title"])` to "posts"' in messages
    assert messages.count("This query scans") == 3


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
                const theirs: any[] = [];
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
            import { usersTable } from "some-auth-library";
            export default defineSchema({ ...authTables, users: usersTable,
              tags: defineTable({ name: v.string() }).index("by_name", ["name"]) });
        """,
        "convex/tags.ts": """
            import { query } from "./_generated/server";
            export const short = query({
              args: {},
              handler: async (ctx) => {
                const tags = await ctx.db.query("tags").withIndex("by_name").collect();
                const users = await ctx.db.query("users").filter((q) => q.eq(q.field("nickname"), "a")).first();
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
