"""schema/unknown-table: tables the schema does not define."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/unknown-table"

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      users: defineTable({ clerkId: v.string(), email: v.string() }).index("by_clerkId", ["clerkId"]),
      posts: defineTable({ title: v.string(), authorId: v.id("users") }).index("by_author", ["authorId"]),
    });
"""

FLAGGED = [
    flagged("a typo in query, insert and v.id", {
        "convex/schema.ts": SCHEMA,
        "convex/posts.ts": """
            import { mutation, query } from "./_generated/server";
            import { v } from "convex/values";

            export const list = query({
              args: {},
              handler: async (ctx) => await ctx.db.query("post").take(10),
            });

            export const create = mutation({
              args: { title: v.string(), authorId: v.id("user") },
              handler: async (ctx, args) => {
                await ctx.db.insert("posts", args);
                await ctx.db.insert("activity", { kind: "post" });
              },
            });
        """,
    }, ("convex/posts.ts", 'query("post")'), ("convex/posts.ts", 'v.id("user")'),
       ("convex/posts.ts", '"activity"')),
    flagged("the table-first get/patch/delete of newer Convex versions", {
        "convex/schema.ts": SCHEMA,
        "convex/posts.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const archive = mutation({
              args: { id: v.id("posts") },
              handler: async (ctx, { id }) => {
                const post = await ctx.db.get("posts", id);
                await ctx.db.patch("post", id, { title: post!.title });
                await ctx.db.delete("archive", id);
                await ctx.db.patch(id, { title: "x" });
              },
            });
        """,
    }, ("convex/posts.ts", 'patch("post"'), ("convex/posts.ts", 'delete("archive"')),
    flagged("an unknown table behind a constant, with withIndex: one finding, at the table", {
        "convex/schema.ts": SCHEMA,
        "convex/comments.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            const TABLE = "comments";

            export const forPost = query({
              args: { postId: v.id("posts") },
              handler: async (ctx, { postId }) =>
                await ctx.db.query(TABLE).withIndex("by_post", (q) => q.eq("postId", postId)).take(20),
            });
        """,
    }, ("convex/comments.ts", "ctx.db.query(TABLE)")),
]

CLEAN = [
    clean("known tables, system tables and dynamic names", {
        "convex/schema.ts": SCHEMA,
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const list = query({
              args: { table: v.string(), file: v.id("_storage") },
              handler: async (ctx, args) => {
                const posts = await ctx.db.query("posts").take(10);
                const files = await ctx.db.system.query("_storage").take(10);
                const any = await ctx.db.query(args.table as any).take(1);
                return { posts, files, any };
              },
            });
        """,
    }),
    clean("no schema at all", {
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("anything").take(5) });
        """,
    }),
    clean("library tables from authTables and a schema spread the auditor cannot see", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { authTables } from "@convex-dev/auth/server";
            import { v } from "convex/values";
            import { billingTables } from "./billing/tables";

            export default defineSchema({
              ...authTables,
              ...billingTables,
              notes: defineTable({ text: v.string(), userId: v.id("users") }),
            });
        """,
        "convex/notes.ts": """
            import { query } from "./_generated/server";
            export const all = query({
              args: {},
              handler: async (ctx) => [await ctx.db.query("authSessions").first(),
                await ctx.db.query("invoices").first()],
            });
        """,
    }),
    clean("a component's tables are checked against the component's schema", {
        "convex/schema.ts": SCHEMA,
        "convex/components/counter/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            export default defineSchema({ counters: defineTable({ name: v.string(), value: v.number() }) });
        """,
        "convex/components/counter/lib.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            export const add = mutation({
              args: { name: v.string() },
              handler: async (ctx, { name }) => {
                await ctx.db.insert("counters", { name, value: 1 });
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_tables_missing_from_the_schema(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_known_system_library_and_component_tables(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
