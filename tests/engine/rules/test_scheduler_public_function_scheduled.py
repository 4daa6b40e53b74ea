"""scheduler/public-function-scheduled: server-side calls and crons that target api.* functions."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "scheduler/public-function-scheduled"

FLAGGED = [
    flagged("the seed's mutation scheduling a public action", {
        "convex/mutations.ts": """
            import { mutation } from "./_generated/server";
            import { api } from "./_generated/api";
            import { v } from "convex/values";

            export const createUser = mutation({
              args: { clerkId: v.string(), email: v.string(), name: v.string() },
              handler: async (ctx, args) => {
                const userId = await ctx.db.insert("users", { ...args, createdAt: Date.now() });
                await ctx.scheduler.runAfter(0, api.actions.sendWelcomeEmail, {
                  email: args.email,
                  name: args.name,
                });
                return userId;
              },
            });
        """,
    }, ("convex/mutations.ts", "ctx.scheduler.runAfter")),
    flagged("runAt, ctx.runMutation and ctx.runQuery in an action and its helper", {
        "convex/lib/notify.ts": """
            import { api } from "../_generated/api";

            export async function markSent(ctx: any, email: string) {
              await ctx.runMutation(api.mutations.markEmailSent, { email });
            }
        """,
        "convex/actions.ts": """
            import { action } from "./_generated/server";
            import { api } from "./_generated/api";
            import { v } from "convex/values";
            import { markSent } from "./lib/notify";

            export const sendWelcomeEmail = action({
              args: { email: v.string() },
              handler: async (ctx, args) => {
                const user = await ctx.runQuery(api.users.byEmail, { email: args.email });
                await ctx.scheduler.runAt(user.remindAt, api.actions.remind, { email: args.email });
                await markSent(ctx, args.email);
              },
            });
        """,
    }, ("convex/actions.ts", "ctx.runQuery(api.users.byEmail"), ("convex/actions.ts", "ctx.scheduler.runAt"),
       ("convex/lib/notify.ts", "ctx.runMutation(api.mutations.markEmailSent")),
    flagged("a cron job targeting a public mutation, reported once", {
        "convex/crons.ts": """
            import { cronJobs } from "convex/server";
            import { api, internal } from "./_generated/api";

            const crons = cronJobs();
            crons.interval("clear sessions", { hours: 1 }, api.sessions.clearExpired);
            crons.daily("digest", { hourUTC: 8, minuteUTC: 30 }, internal.digest.send);
            export default crons;
        """,
    }, ("convex/crons.ts", "crons.interval")),
    flagged("an inline HTTP route handler running a public mutation (the seed's http.ts)", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { api } from "./_generated/api";

            const http = httpRouter();
            http.route({
              path: "/your-endpoint",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const body = await request.json();
                const result = await ctx.runMutation(api.mutations.yourMutation, body);
                return new Response(JSON.stringify({ data: result }), { status: 200 });
              }),
            });
            export default http;
        """,
    }, ("convex/http.ts", "ctx.runMutation(api.mutations.yourMutation")),
]

CLEAN = [
    clean("internal targets everywhere", {
        "convex/mutations.ts": """
            import { mutation, internalAction } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const createUser = mutation({
              args: { email: v.string() },
              handler: async (ctx, args) => {
                await ctx.db.insert("users", { email: args.email });
                await ctx.scheduler.runAfter(0, internal.actions.sendWelcomeEmail, { email: args.email });
              },
            });

            export const sendAll = internalAction({
              args: {},
              handler: async (ctx) => {
                const users = await ctx.runQuery(internal.users.list, {});
                await ctx.runMutation(internal.users.touch, { count: users.length });
              },
            });
        """,
        "convex/crons.ts": """
            import { cronJobs } from "convex/server";
            import { internal } from "./_generated/api";

            const crons = cronJobs();
            crons.hourly("clear", { minuteUTC: 15 }, internal.sessions.clearExpired);
            export default crons;
        """,
    }),
    clean("a local object named api that is not the generated one", {
        "convex/client.ts": """
            import { action } from "./_generated/server";
            import { api } from "./lib/thirdParty";

            export const sync = action({
              args: {},
              handler: async (ctx) => {
                await ctx.runAction(api.remote.pull, {});
              },
            });
        """,
        "convex/lib/thirdParty.ts": """
            export const api = { remote: { pull: "pull" } };
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_server_calls_to_public_functions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_internal_targets(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
