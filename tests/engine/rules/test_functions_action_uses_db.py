"""functions/action-uses-db: ctx.db in actions and HTTP actions."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "functions/action-uses-db"

FLAGGED = [
    flagged("ctx.db in a public action", {
        "convex/feeds.ts": """
            "use node";
            import { action } from "./_generated/server";
            import { v } from "convex/values";

            export const importFeed = action({
              args: { url: v.string() },
              handler: async (ctx, { url }) => {
                const items = await (await fetch(url)).json();
                for (const item of items) {
                  await ctx.db.insert("items", item);
                }
              },
            });
        """,
    }, ("convex/feeds.ts", "ctx.db.insert")),
    flagged("ctx.db in an inline http.route handler and in a helper it calls", {
        "convex/lib/users.ts": """
            import { QueryCtx } from "../_generated/server";

            export async function userByToken(ctx: QueryCtx, token: string) {
              return await ctx.db
                .query("users")
                .withIndex("by_token", (q) => q.eq("token", token))
                .unique();
            }
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { userByToken } from "./lib/users";

            const http = httpRouter();

            http.route({
              path: "/me",
              method: "GET",
              handler: httpAction(async (ctx, request) => {
                const token = request.headers.get("Authorization") ?? "";
                const user = await userByToken(ctx, token);
                const prefs = await ctx.db.get(user!._id);
                return Response.json({ user, prefs });
              }),
            });

            export default http;
        """,
    }, ("convex/lib/users.ts", "return await ctx.db"), ("convex/http.ts", "ctx.db.get")),
    flagged("ctx.db in an exported internalAction", {
        "convex/billing.ts": """
            import { internalAction } from "./_generated/server";
            import { v } from "convex/values";

            export const syncInvoices = internalAction({
              args: { customerId: v.string() },
              handler: async (ctx, args) => {
                const customer = await ctx.db.query("customers").first();
                return customer;
              },
            });
        """,
    }, ("convex/billing.ts", "ctx.db.query")),
]

CLEAN = [
    clean("actions that go through runQuery/runMutation", {
        "convex/feeds.ts": """
            import { action, internalMutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const importFeed = action({
              args: { url: v.string() },
              handler: async (ctx, { url }) => {
                const items = await (await fetch(url)).json();
                await ctx.runMutation(internal.feeds.saveItems, { items });
              },
            });

            export const saveItems = internalMutation({
              args: { items: v.array(v.any()) },
              handler: async (ctx, { items }) => {
                for (const item of items) await ctx.db.insert("items", item);
              },
            });
        """,
    }),
    clean("an HTTP action that reads through ctx.runQuery", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const http = httpRouter();
            http.route({
              path: "/stats",
              method: "GET",
              handler: httpAction(async (ctx) => {
                const stats = await ctx.runQuery(internal.stats.summary, {});
                return Response.json(stats);
              }),
            });
            export default http;
        """,
    }),
    clean("a helper with ctx.db used only by mutations, next to an action", {
        "convex/lib/db.ts": """
            import { MutationCtx } from "../_generated/server";
            export async function touch(ctx: MutationCtx, id: any) {
              await ctx.db.patch(id, { touchedAt: 1 });
            }
        """,
        "convex/jobs.ts": """
            import { action, mutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { touch } from "./lib/db";

            export const run = action({
              args: {},
              handler: async (ctx) => {
                await ctx.runMutation(internal.jobs.mark, {});
              },
            });

            export const mark = mutation({
              args: {},
              handler: async (ctx) => {
                await touch(ctx, "x");
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_ctx_db_in_actions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_actions_that_run_queries_and_mutations(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
