"""perf/sequential-runs-in-action: consecutive ctx.runQuery/ctx.runMutation statements in actions."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "perf/sequential-runs-in-action"

FLAGGED = [
    flagged("a read then two writes, one finding at the first call", {
        "convex/checkout.ts": """
            import { action } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const checkout = action({
              args: { cartId: v.id("carts") },
              handler: async (ctx, { cartId }) => {
                const cart = await ctx.runQuery(internal.carts.get, { cartId });
                await ctx.runMutation(internal.orders.create, { cart });
                await ctx.runMutation(internal.carts.clear, { cartId });
              },
            });
        """,
    }, ("convex/checkout.ts", "ctx.runQuery(internal.carts.get")),
    flagged("assignment and return forms, in a helper and in an inline route handler", {
        "convex/lib/sync.ts": """
            import { internal } from "../_generated/api";

            export async function syncUser(ctx: any, id: string) {
              let user;
              user = await ctx.runQuery(internal.users.get, { id });
              return await ctx.runMutation(internal.users.touch, { id: user._id });
            }
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { syncUser } from "./lib/sync";

            const http = httpRouter();
            http.route({
              path: "/hook",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const payload = await request.json();
                await ctx.runMutation(internal.events.record, { payload });
                await ctx.runMutation(internal.events.count, {});
                await syncUser(ctx, payload.userId);
                return new Response(null, { status: 204 });
              }),
            });
            export default http;
        """,
    }, ("convex/lib/sync.ts", "user = await ctx.runQuery"), ("convex/http.ts", "internal.events.record")),
]

CLEAN = [
    clean("one run per action, runs separated by other work, runAction and Promise.all", {
        "convex/actions.ts": """
            import { action, internalAction } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const send = action({
              args: { email: v.string() },
              handler: async (ctx, { email }) => {
                const user = await ctx.runQuery(internal.users.byEmail, { email });
                const response = await fetch("https://api.example.com/send", { method: "POST" });
                await ctx.runMutation(internal.users.markSent, { id: user._id, ok: response.ok });
              },
            });

            export const fanOut = internalAction({
              args: {},
              handler: async (ctx) => {
                await ctx.runAction(internal.jobs.a, {});
                await ctx.runMutation(internal.jobs.b, {});
                await Promise.all([ctx.runQuery(internal.jobs.c, {}), ctx.runQuery(internal.jobs.d, {})]);
              },
            });
        """,
    }),
    clean("consecutive runs inside a mutation are not this rule's", {
        "convex/mutations.ts": """
            import { mutation } from "./_generated/server";
            import { internal } from "./_generated/api";

            export const both = mutation({
              args: {},
              handler: async (ctx) => {
                await ctx.runMutation(internal.a.b, {});
                await ctx.runMutation(internal.a.c, {});
              },
            });
        """,
    }),
    clean("runs in different blocks are not consecutive", {
        "convex/branch.ts": """
            import { action } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const pick = action({
              args: { fast: v.boolean() },
              handler: async (ctx, { fast }) => {
                if (fast) {
                  await ctx.runMutation(internal.a.fast, {});
                } else {
                  await ctx.runMutation(internal.a.slow, {});
                }
                await ctx.runQuery(internal.a.done, {});
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_consecutive_transactions_in_actions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_single_or_separated_runs(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
