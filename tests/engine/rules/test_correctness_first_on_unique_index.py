"""correctness/first-on-unique-index: .first() on a lookup meant to find one document."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/first-on-unique-index"

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      users: defineTable({ name: v.string(), tokenIdentifier: v.string(), email: v.string() })
        .index("by_token", ["tokenIdentifier"])
        .index("by_email", ["email"]),
      members: defineTable({ orgId: v.id("orgs"), userId: v.id("users"), role: v.string() })
        .index("by_org_user", ["orgId", "userId"])
        .index("by_org", ["orgId"]),
      messages: defineTable({ channelId: v.id("channels"), body: v.string() }).index("by_channel", ["channelId"]),
    });
"""

FLAGGED = [
    flagged("a natural key, and a lookup the project elsewhere ends with .unique()", {
        "convex/schema.ts": SCHEMA,
        "convex/users.ts": """
            import { query, mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const current = query({
              args: {},
              handler: async (ctx) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) return null;
                return await ctx.db
                  .query("users")
                  .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier))
                  .first();
              },
            });

            export const membership = query({
              args: { orgId: v.id("orgs"), userId: v.id("users") },
              handler: async (ctx, { orgId, userId }) =>
                await ctx.db
                  .query("members")
                  .withIndex("by_org_user", (q) => q.eq("orgId", orgId).eq("userId", userId))
                  .first(),
            });

            export const leave = mutation({
              args: { orgId: v.id("orgs"), userId: v.id("users") },
              handler: async (ctx, { orgId, userId }) => {
                const row = await ctx.db
                  .query("members")
                  .withIndex("by_org_user", (q) => q.eq("orgId", orgId).eq("userId", userId))
                  .unique();
                if (row) await ctx.db.delete(row._id);
              },
            });
        """,
    }, ("convex/users.ts", ".first();"), ("convex/users.ts", ".first(),")),
]

CLEAN = [
    clean("foreign keys many documents share, ordered picks, partial index use", {
        "convex/schema.ts": SCHEMA,
        "convex/messages.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const firstInChannel = query({
              args: { channelId: v.id("channels") },
              handler: async (ctx, { channelId }) =>
                await ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channelId", channelId)).first(),
            });

            export const latestMember = query({
              args: { orgId: v.id("orgs") },
              handler: async (ctx, { orgId }) =>
                await ctx.db.query("members").withIndex("by_org", (q) => q.eq("orgId", orgId)).order("desc").first(),
            });

            export const anyInOrg = query({
              args: { orgId: v.id("orgs") },
              handler: async (ctx, { orgId }) =>
                await ctx.db.query("members").withIndex("by_org_user", (q) => q.eq("orgId", orgId)).first(),
            });

            export const byEmail = query({
              args: { email: v.string() },
              handler: async (ctx, { email }) =>
                await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", email)).unique(),
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_first_on_unique_lookups(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_first_where_many_documents_match(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
