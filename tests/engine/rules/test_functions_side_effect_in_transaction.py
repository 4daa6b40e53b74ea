"""functions/side-effect-in-transaction: network calls and timers in queries and mutations."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "functions/side-effect-in-transaction"

FLAGGED = [
    flagged("fetch in a mutation that also writes", {
        "convex/users.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const signup = mutation({
              args: { email: v.string() },
              handler: async (ctx, { email }) => {
                const id = await ctx.db.insert("users", { email });
                await fetch("https://api.emailservice.com/send", {
                  method: "POST",
                  headers: { Authorization: `Bearer ${process.env.EMAIL_API_KEY}` },
                  body: JSON.stringify({ to: email }),
                });
                return id;
              },
            });
        """,
    }, ("convex/users.ts", "await fetch(")),
    flagged("an SDK call and a timer in a helper reached from a query", {
        "convex/lib/ai.ts": """
            import OpenAI from "openai";
            import axios from "axios";
            import { QueryCtx } from "../_generated/server";

            export async function enrich(ctx: QueryCtx, text: string) {
              const { data } = await axios.post("https://example.com/moderate", { text });
              setTimeout(() => console.log("done"), 10);
              return data;
            }
        """,
        "convex/posts.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";
            import { enrich } from "./lib/ai";

            export const preview = query({
              args: { text: v.string() },
              handler: async (ctx, { text }) => await enrich(ctx, text),
            });
        """,
    }, ("convex/lib/ai.ts", "axios.post"), ("convex/lib/ai.ts", "setTimeout")),
]

CLEAN = [
    clean("the seed's pattern: fetch in an action scheduled from a mutation", {
        "convex/actions.ts": """
            import { internalAction } from "./_generated/server";
            import { v } from "convex/values";

            export const sendWelcomeEmail = internalAction({
              args: { email: v.string() },
              handler: async (ctx, args) => {
                await fetch("https://api.emailservice.com/send", {
                  method: "POST",
                  body: JSON.stringify({ to: args.email }),
                });
              },
            });
        """,
        "convex/mutations.ts": """
            import { mutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const createUser = mutation({
              args: { email: v.string() },
              handler: async (ctx, args) => {
                const userId = await ctx.db.insert("users", { email: args.email });
                await ctx.scheduler.runAfter(0, internal.actions.sendWelcomeEmail, { email: args.email });
                return userId;
              },
            });
        """,
    }),
    clean("a project function named fetch and an HTTP action", {
        "convex/items.ts": """
            import { query, httpAction } from "./_generated/server";

            const fetch = async (ctx: any) => await ctx.db.query("items").take(10);

            export const list = query({ args: {}, handler: async (ctx) => await fetch(ctx) });

            export const proxy = httpAction(async () => {
              const upstream = await globalThis.fetch("https://example.com");
              return new Response(await upstream.text());
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_side_effects_in_transactions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_side_effects_in_actions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
