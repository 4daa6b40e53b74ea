"""validators/string-for-id: id-named arguments and fields validated as v.string()."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      users: defineTable({ name: v.string(), clerkId: v.string() }).index("by_clerk", ["clerkId"]),
      channels: defineTable({ name: v.string() }),
      categories: defineTable({ title: v.string() }),
      messages: defineTable({
        channelId: v.string(),
        authorId: v.id("users"),
        body: v.string(),
        attachmentId: v.optional(v.id("_storage")),
      }).index("by_channel", ["channelId"]),
      payments: defineTable({
        userId: v.id("users"),
        stripeCustomerId: v.string(),
        stripePaymentIntentId: v.string(),
      }),
    });
"""

CLEAN_SCHEMA = SCHEMA.replace("channelId: v.string()", 'channelId: v.id("channels")')

RULE_ID = "validators/string-for-id"

FLAGGED = [
    flagged("a schema field and arguments naming schema tables", {
        "package.json": '{"dependencies": {"convex": "^1.17.0"}}',
        "convex/schema.ts": SCHEMA,
        "convex/messages.ts": """
            import { query, mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const byChannel = query({
              args: { channelId: v.string() },
              handler: async (ctx, { channelId }) =>
                await ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channelId", channelId)).take(50),
            });

            export const tag = mutation({
              args: { id: v.id("messages"), categoryIds: v.array(v.string()), storageId: v.optional(v.string()) },
              handler: async (ctx, { id, categoryIds }) => {
                await ctx.db.patch(id, { categoryIds });
              },
            });
        """,
    }, ("convex/schema.ts", "channelId: v.string()"), ("convex/messages.ts", "args: { channelId: v.string() }"),
        ("convex/messages.ts", "categoryIds: v.array(v.string())"),
        ("convex/messages.ts", "categoryIds: v.array(v.string())")),
]


FLAGGED.append(flagged("a Convex Auth app, whose user ids are document ids", {
    "convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { authTables } from "@convex-dev/auth/server";
        import { v } from "convex/values";

        export default defineSchema({
          ...authTables,
          conversions: defineTable({
            userId: v.string(),
            fileName: v.string(),
            pdfFileId: v.optional(v.id("_storage")),
          }).index("by_user", ["userId"]),
        });
    """,
}, ("convex/schema.ts", "userId: v.string()")))

STORAGE_ARGS = """
    import { mutation } from "./_generated/server";
    import { v } from "convex/values";

    export const attach = mutation({
      args: { storageId: v.string() },
      handler: async (ctx, { storageId }) => {
        await ctx.db.insert("files", { storageId });
      },
    });
"""

FLAGGED.append(flagged("a storage id as a string where convex types storage ids (1.6.2 and later)", {
    "package.json": '{"dependencies": {"convex": "1.6.2"}}',
    "convex/schema.ts": CLEAN_SCHEMA,
    "convex/files.ts": STORAGE_ARGS,
}, ("convex/files.ts", "storageId: v.string()")))


OWN_KEY_SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      boards: defineTable({ clientKey: v.string(), title: v.string() }).index("by_client_key", ["clientKey"]),
      lists: defineTable({ ownerId: v.string(), title: v.string() }).index("by_owner", ["ownerId"]),
    });
"""

OWN_KEY_FUNCTIONS = """
    import { query } from "./_generated/server";
    import { v } from "convex/values";

    export const board = query({
      args: { boardId: v.string() },
      handler: async (ctx, { boardId }) =>
        await ctx.db.query("boards").withIndex("by_client_key", (q) => q.eq("clientKey", boardId)).unique(),
    });

    export const list = query({
      args: { listId: v.string() },
      handler: async (ctx, { listId }) => await ctx.db.get(listId as any),
    });
"""

FLAGGED.append(flagged("a table whose only string key names its owner, not the row", {
    "convex/schema.ts": OWN_KEY_SCHEMA,
    "convex/boards.ts": OWN_KEY_FUNCTIONS,
}, ("convex/boards.ts", "args: { listId: v.string() }")))

CLEAN = [
    clean("a storage id as a string where storage ids were strings (convex 1.5.1)", {
        "package.json": '{"dependencies": {"convex": "1.5.1"}}',
        "convex/schema.ts": CLEAN_SCHEMA,
        "convex/files.ts": STORAGE_ARGS,
    }),
    clean("a storage id as a string where the convex version cannot be read", {
        "convex/schema.ts": CLEAN_SCHEMA,
        "convex/files.ts": STORAGE_ARGS,
    }),
    clean("ids of outside systems, v.id references and identity subjects", {
        "convex/schema.ts": CLEAN_SCHEMA,
        "convex/payments.ts": """
            import { mutation, internalMutation } from "./_generated/server";
            import { v } from "convex/values";

            export const record = internalMutation({
              args: { stripeCustomerId: v.string(), stripePaymentIntentId: v.string(), userId: v.id("users") },
              handler: async (ctx, args) => {
                await ctx.db.insert("payments", args);
              },
            });

            export const link = mutation({
              args: { clerkId: v.string(), sessionId: v.string(), requestId: v.string() },
              handler: async (ctx, { clerkId }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
                return clerkId;
              },
            });
        """,
    }),
    clean("a Clerk app whose users are keyed by the Clerk id", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              users: defineTable({ clerkId: v.string(), email: v.string() }).index("by_clerk", ["clerkId"]),
              projects: defineTable({ userId: v.string(), title: v.string() }).index("by_user", ["userId"]),
            });
        """,
        "convex/projects.ts": """
            import { internalMutation } from "./_generated/server";
            import { v } from "convex/values";

            export const create = internalMutation({
              args: { userId: v.string(), title: v.string() },
              handler: async (ctx, args) => await ctx.db.insert("projects", args),
            });
        """,
    }),
    clean("a userId string filled from the identity, and users.userId naming its own table", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              users: defineTable({ name: v.string(), userId: v.string() }).index("by_user_id", ["userId"]),
              notes: defineTable({ userId: v.string(), text: v.string() }).index("by_user", ["userId"]),
            });
        """,
        "convex/notes.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const add = mutation({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
                await ctx.db.insert("notes", { userId: identity.subject, text });
              },
            });
        """,
    }),
    clean("a string reference to a table keyed by a client-made string id of its own", {
        "convex/schema.ts": OWN_KEY_SCHEMA.replace("ownerId", "slug").replace("by_owner", "by_slug"),
        "convex/boards.ts": OWN_KEY_FUNCTIONS,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_table_references_validated_as_strings(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_outside_ids_and_identity_subjects(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
