"""perf/run-from-query-or-mutation: ctx.runQuery/runMutation where a helper call would do."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "perf/run-from-query-or-mutation"

FLAGGED = [
    flagged("runQuery in a mutation and a query, runMutation in a mutation's helper", {
        "convex/messages.ts": """
            import { mutation, query, internalQuery, internalMutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const currentUser = internalQuery({
              args: {},
              handler: async (ctx) => {
                const identity = await ctx.auth.getUserIdentity();
                return identity && (await ctx.db.query("users").withIndex("by_token", (q) =>
                  q.eq("tokenIdentifier", identity.tokenIdentifier)).unique());
              },
            });

            export const send = mutation({
              args: { body: v.string() },
              handler: async (ctx, { body }) => {
                const user = await ctx.runQuery(internal.messages.currentUser, {});
                if (!user) throw new Error("Unauthenticated");
                await ctx.db.insert("messages", { body, author: user._id });
                await bump(ctx, user._id);
              },
            });

            export const mine = query({
              args: {},
              handler: async (ctx) => {
                const user = await ctx.runQuery(internal.messages.currentUser, {});
                if (!user) return [];
                return await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", user._id)).take(20);
              },
            });

            export const incrementCount = internalMutation({
              args: { userId: v.id("users") },
              handler: async (ctx, { userId }) => {
                const user = await ctx.db.get(userId);
                if (user) await ctx.db.patch(userId, { count: (user.count ?? 0) + 1 });
              },
            });

            async function bump(ctx: any, userId: any) {
              await ctx.runMutation(internal.messages.incrementCount, { userId });
            }
        """,
    }, ("convex/messages.ts", "internal.messages.currentUser", 1),
       ("convex/messages.ts", "internal.messages.currentUser", 2),
       ("convex/messages.ts", "internal.messages.incrementCount")),
]

CLEAN = [
    clean("actions, component calls and runMutation in a query (another rule's)", {
        "convex/usage.ts": """
            import { action, mutation, query } from "./_generated/server";
            import { components, internal } from "./_generated/api";
            import { v } from "convex/values";

            export const record = mutation({
              args: { name: v.string() },
              handler: async (ctx, { name }) => {
                await ctx.runMutation(components.rateLimiter.lib.rateLimit, { name, config: { kind: "token bucket" } });
                await ctx.runQuery(components.aggregate.btree.count, {});
              },
            });

            export const refresh = action({
              args: {},
              handler: async (ctx) => {
                const rows = await ctx.runQuery(internal.usage.all, {});
                await ctx.runMutation(internal.usage.store, { rows });
              },
            });

            export const broken = query({
              args: {},
              handler: async (ctx) => {
                await ctx.runMutation(internal.usage.store, { rows: [] });
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_sub_transactions_in_queries_and_mutations(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_actions_components_and_other_rules_facts(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
