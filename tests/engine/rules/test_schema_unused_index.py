"""schema/unused-index: indexes that no code of the project uses."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/unused-index"

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      users: defineTable({ email: v.string(), name: v.string() })
        .index("by_email", ["email"])
        .index("by_name", ["name"]),
      docs: defineTable({ body: v.string(), embedding: v.array(v.float64()), owner: v.id("users") })
        .index("by_owner", ["owner"])
        .searchIndex("search_body", { searchField: "body" })
        .vectorIndex("by_embedding", { vectorField: "embedding", dimensions: 1536 }),
    });
"""

USES_ALL = """
    import { query, action } from "./_generated/server";
    import { getManyFrom } from "convex-helpers/server/relationships";
    import { v } from "convex/values";

    const BY_NAME = "by_name";

    export const byEmail = query({
      args: { email: v.string() },
      handler: async (ctx, { email }) =>
        await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", email)).unique(),
    });

    export const byName = query({
      args: { name: v.string() },
      handler: async (ctx, { name }) =>
        await ctx.db.query("users").withIndex(BY_NAME, (q) => q.eq("name", name)).first(),
    });

    export const owned = query({
      args: { owner: v.id("users") },
      handler: async (ctx, { owner }) => await getManyFrom(ctx.db, "docs", "by_owner", owner),
    });

    export const search = query({
      args: { text: v.string() },
      handler: async (ctx, { text }) =>
        await ctx.db.query("docs").withSearchIndex("search_body", (q) => q.search("body", text)).take(10),
    });

    export const similar = action({
      args: { vector: v.array(v.float64()) },
      handler: async (ctx, { vector }) => await ctx.vectorSearch("docs", "by_embedding", { vector, limit: 5 }),
    });
"""

FLAGGED = [
    flagged("indexes, a search index and a vector index nobody uses", {
        "convex/schema.ts": SCHEMA,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const byEmail = query({
              args: { email: v.string() },
              handler: async (ctx, { email }) =>
                await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", email)).unique(),
            });
        """,
    }, ("convex/schema.ts", '.index("by_name"'), ("convex/schema.ts", '.index("by_owner"'),
       ("convex/schema.ts", '.searchIndex("search_body"'), ("convex/schema.ts", '.vectorIndex("by_embedding"')),
    flagged("a name used only by frontend code does not count", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              tags: defineTable({ label: v.string() }).index("by_label", ["label"]),
            });
        """,
        "src/labels.ts": """
            export const INDEX = "by_label";
        """,
    }, ("convex/schema.ts", '.index("by_label"')),
]

CLEAN = [
    clean("withIndex, a constant, a helper, withSearchIndex and vectorSearch all count", {
        "convex/schema.ts": SCHEMA,
        "convex/users.ts": USES_ALL,
    }),
    clean("a dynamic index name keeps that table's indexes", {
        "convex/schema.ts": SCHEMA.replace('"search_body"', '"unused_search"'),
        "convex/users.ts": USES_ALL.replace('"search_body"', '"other"'),
        "convex/lookup.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const by = query({
              args: { index: v.string(), value: v.string() },
              handler: async (ctx, args) =>
                await ctx.db.query("docs").withIndex(args.index as any, (q: any) => q.eq("x", args.value)).take(5),
            });
        """,
    }),
    clean("Convex Auth queries the indexes of the users table the project redefines", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { authTables } from "@convex-dev/auth/server";
            import { v } from "convex/values";

            export default defineSchema({
              ...authTables,
              users: defineTable({ email: v.optional(v.string()), phone: v.optional(v.string()) })
                .index("email", ["email"])
                .index("phone", ["phone"]),
            });
        """,
    }),
    clean("silent when a Convex file does not parse", {
        "convex/schema.ts": SCHEMA,
        "convex/broken.ts": """
            export const broken = query({ handler: async (ctx) => { return ctx.db.query("users" } });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_indexes_nobody_uses(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_every_kind_of_use(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
