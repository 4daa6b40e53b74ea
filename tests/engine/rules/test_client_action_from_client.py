"""client/action-from-client: useAction for an action that only goes through the database."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "client/action-from-client"

CART = """
    import { action, internalQuery, internalMutation } from "./_generated/server";
    import { internal } from "./_generated/api";
    import { ConvexError, v } from "convex/values";
    import { getAuthUserId } from "@convex-dev/auth/server";
    import { toCents } from "./lib/money";

    export const addItem = action({
      args: { cartId: v.id("carts"), sku: v.string(), price: v.number() },
      handler: async (ctx, { cartId, sku, price }) => {
        const userId = await getAuthUserId(ctx);
        if (!userId) throw new ConvexError("Not signed in");
        const cart = await ctx.runQuery(internal.cart.get, { cartId });
        if (!cart) throw new Error("No cart");
        const items = cart.items.map((item) => item.sku);
        await ctx.runMutation(internal.cart.insertItem, { cartId, sku, cents: toCents(price), count: items.length });
      },
    });

    export const get = internalQuery({
      args: { cartId: v.id("carts") },
      handler: async (ctx, { cartId }) => await ctx.db.get(cartId),
    });
    export const insertItem = internalMutation({
      args: { cartId: v.id("carts"), sku: v.string(), cents: v.number(), count: v.number() },
      handler: async (ctx, args) => { await ctx.db.insert("items", args); },
    });
"""

MONEY = "export function toCents(value: number) { return Math.round(value * 100); }\n"

FLAGGED = [
    flagged("an action that only runs a query and a mutation", {
        "convex/cart.ts": CART,
        "convex/lib/money.ts": MONEY,
        "src/Cart.tsx": """
            import { useAction } from "convex/react";
            import { api } from "../convex/_generated/api";

            export function AddToCart({ cartId, sku }: { cartId: any; sku: string }) {
              const addItem = useAction(api.cart.addItem);
              return <button onClick={() => addItem({ cartId, sku, price: 9.5 })}>Add</button>;
            }
        """,
    }, ("src/Cart.tsx", "useAction(api.cart.addItem)")),
]

CLEAN = [
    clean("actions that fetch, call SDKs, use storage or run in Node", {
        "convex/cart.ts": CART,
        "convex/lib/money.ts": MONEY,
        "convex/ai.ts": """
            import { action } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";
            import OpenAI from "openai";
            import { generateText } from "ai";

            const openai = new OpenAI();

            export const answer = action({
              args: { question: v.string() },
              handler: async (ctx, { question }) => {
                const history = await ctx.runQuery(internal.chat.history, {});
                const reply = await openai.chat.completions.create({ model: "gpt-4o", messages: history });
                await ctx.runMutation(internal.chat.save, { question, reply: reply.choices[0].message.content });
              },
            });

            export const summarize = action({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                const summary = await generateText({ prompt: text });
                await ctx.runMutation(internal.chat.save, { question: text, reply: summary.text });
              },
            });

            export const checkout = action({
              args: {},
              handler: async (ctx) => {
                const cart = await ctx.runQuery(internal.cart.get, { cartId: "x" as any });
                const response = await fetch("https://api.stripe.com/v1/checkout/sessions", { method: "POST" });
                return { cart, url: (await response.json()).url };
              },
            });
        """,
        "convex/files.ts": """
            "use node";
            import { action } from "./_generated/server";
            import { internal } from "./_generated/api";

            export const importCsv = action({
              args: {},
              handler: async (ctx) => {
                const rows = await ctx.runQuery(internal.files.pending, {});
                await ctx.runMutation(internal.files.markDone, { count: rows.length });
              },
            });
        """,
        "src/Assistant.tsx": """
            import { useAction, useMutation } from "convex/react";
            import { api } from "../convex/_generated/api";

            export function Assistant() {
              const answer = useAction(api.ai.answer);
              const summarize = useAction(api.ai.summarize);
              const checkout = useAction(api.ai.checkout);
              const importCsv = useAction(api.files.importCsv);
              const addItem = useMutation(api.cart.insertItem);
              return (
                <div>
                  <button onClick={() => answer({ question: "hi" })} />
                  <button onClick={() => summarize({ text: "t" })} />
                  <button onClick={() => checkout({})} />
                  <button onClick={() => importCsv({})} />
                  <button onClick={() => addItem({} as any)} />
                </div>
              );
            }
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_use_action_for_database_only_work(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_actions_that_need_the_outside_world(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
