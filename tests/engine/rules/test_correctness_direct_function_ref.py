"""correctness/direct-function-ref: function values passed where a function reference belongs."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/direct-function-ref"

FLAGGED = [
    flagged("a registered function, an imported one and an arrow given to run/scheduler", {
        "convex/notifications.ts": """
            import { internalAction } from "./_generated/server";
            import { v } from "convex/values";

            export const notify = internalAction({
              args: { body: v.string() },
              handler: async (ctx, { body }) => {
                await fetch("https://hooks.example.com/notify", { method: "POST", body });
              },
            });
        """,
        "convex/messages.ts": """
            import { mutation, internalMutation, action } from "./_generated/server";
            import { v } from "convex/values";
            import { notify } from "./notifications";

            export const markRead = internalMutation({
              args: { id: v.id("messages") },
              handler: async (ctx, { id }) => {
                await ctx.db.patch(id, { read: true });
              },
            });

            export const send = mutation({
              args: { body: v.string() },
              handler: async (ctx, { body }) => {
                const id = await ctx.db.insert("messages", { body, read: false });
                await ctx.scheduler.runAfter(0, notify, { body });
                await ctx.scheduler.runAfter(60_000, markRead, { id });
              },
            });

            export const sync = action({
              args: {},
              handler: async (ctx) => {
                await ctx.runMutation(async () => null, {});
              },
            });
        """,
    }, ("convex/messages.ts", "runAfter(0, notify"), ("convex/messages.ts", "runAfter(60_000, markRead"),
        ("convex/messages.ts", "ctx.runMutation(async")),
]

CLEAN = [
    clean("a reference exported from a project module is not a function value", {
        "convex/lib/refs.ts": """
            import { internal } from "../_generated/api";

            export const NOTIFY = internal.notifications.notify;
        """,
        "convex/messages.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            import { NOTIFY } from "./lib/refs";

            export const send = mutation({
              args: { body: v.string() },
              handler: async (ctx, { body }) => {
                await ctx.db.insert("messages", { body });
                await ctx.scheduler.runAfter(0, NOTIFY, { body });
              },
            });
        """,
    }),
    clean("api and internal references, also through a constant and a components reference", {
        "convex/messages.ts": """
            import { mutation, action } from "./_generated/server";
            import { api, internal, components } from "./_generated/api";
            import { v } from "convex/values";

            const NOTIFY = internal.notifications.notify;

            export const send = mutation({
              args: { body: v.string() },
              handler: async (ctx, { body }) => {
                await ctx.db.insert("messages", { body });
                await ctx.scheduler.runAfter(0, NOTIFY, { body });
                await ctx.runMutation(components.rateLimiter.lib.rateLimit, { name: "send" });
              },
            });

            export const refresh = action({
              args: {},
              handler: async (ctx) => await ctx.runQuery(api.messages.list, {}),
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_function_values_given_to_run_and_scheduler(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_function_references(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
