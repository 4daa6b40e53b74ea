"""perf/run-in-loop: ctx.runQuery/runMutation/runAction once per item of a loop."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "perf/run-in-loop"

FLAGGED = [
    flagged("for-of, for await, Promise.all over map, and forEach in a helper", {
        "convex/orders.ts": """
            "use node";
            import { action, internalAction } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";
            import Stripe from "stripe";

            export const importOrders = internalAction({
              args: { orders: v.array(v.any()) },
              handler: async (ctx, { orders }) => {
                for (const order of orders) {
                  await ctx.runMutation(internal.orders.insert, { order });
                }
                await Promise.all(
                  orders.map((order) => ctx.runMutation(internal.orders.markImported, { id: order.id })),
                );
              },
            });

            export const syncInvoices = action({
              args: {},
              handler: async (ctx) => {
                const stripe = new Stripe(process.env.STRIPE_KEY!);
                for await (const invoice of stripe.invoices.list({ limit: 100 })) {
                  const customer = await ctx.runQuery(internal.customers.byStripeId, { id: invoice.customer });
                  if (customer) await notifyAll(ctx, [customer._id]);
                }
              },
            });

            async function notifyAll(ctx: any, ids: string[]) {
              ids.forEach(async (id) => {
                await ctx.runAction(internal.email.send, { id });
              });
              for (let i = 0; i < ids.length; i++) {
                await ctx.runMutation(internal.orders.touch, { id: ids[i] });
              }
            }
        """,
    }, ("convex/orders.ts", "internal.orders.insert"), ("convex/orders.ts", "internal.orders.markImported"),
       ("convex/orders.ts", "internal.customers.byStripeId"), ("convex/orders.ts", "internal.email.send"),
       ("convex/orders.ts", "internal.orders.touch")),
    flagged("a loop over the items of each page, inside a paging while loop", {
        "convex/sync.ts": """
            import { internalAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            export const syncAll = internalAction({
              args: {},
              handler: async (ctx) => {
                let cursor: string | null = null;
                let done = false;
                while (!done) {
                  const result = await ctx.runQuery(internal.sync.list, { cursor });
                  for (const row of result.rows) {
                    await ctx.runMutation(internal.sync.upsert, { row });
                  }
                  cursor = result.cursor;
                  done = result.done;
                }
              },
            });
        """,
    }, ("convex/sync.ts", "internal.sync.upsert")),
]

CLEAN = [
    clean("a paging while loop, one batched call, and scheduler fan-out", {
        "convex/migrations.ts": """
            import { internalAction, internalMutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const backfill = internalAction({
              args: {},
              handler: async (ctx) => {
                let cursor: string | null = null;
                let isDone = false;
                while (!isDone) {
                  const page = await ctx.runQuery(internal.migrations.page, { cursor });
                  await ctx.runMutation(internal.migrations.fixBatch, { ids: page.page.map((d) => d._id) });
                  cursor = page.continueCursor;
                  isDone = page.isDone;
                }
              },
            });

            export const importAll = internalAction({
              args: { rows: v.array(v.any()) },
              handler: async (ctx, { rows }) => {
                const BATCH_SIZE = 100;
                for (let i = 0; i < rows.length; i += BATCH_SIZE) {
                  await ctx.runMutation(internal.migrations.insertMany, { rows: rows.slice(i, i + BATCH_SIZE) });
                }
                for (const batch of chunk(rows, 50)) {
                  await ctx.runMutation(internal.migrations.insertMany, { rows: batch });
                }
                await Promise.all(chunk(rows, 50).map((part) => ctx.runMutation(internal.migrations.insertMany, {
                  rows: part,
                })));
                for (const table of ["sessions", "verificationCodes"]) {
                  await ctx.runMutation(internal.migrations.clearTable, { table });
                }
                for (let attempt = 0; attempt < 3; attempt++) {
                  try {
                    return await ctx.runAction(internal.migrations.callPartner, {});
                  } catch (error) {
                    console.warn("retrying", attempt, error);
                  }
                }
              },
            });

            function chunk<T>(items: T[], size: number): T[][] {
              const out: T[][] = [];
              for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
              return out;
            }

            export const replay = internalAction({
              args: { events: v.array(v.any()) },
              handler: async (ctx, { events }) => {
                for (const event of events) {
                  await ctx.runAction(internal.partner.deliver, { event });
                  await new Promise((resolve) => setTimeout(resolve, 1000));
                }
              },
            });

            export const wipe = internalAction({
              args: { tables: v.array(v.string()) },
              handler: async (ctx, { tables }) => {
                for (const table of tables) {
                  let cleared = false;
                  while (!cleared) {
                    cleared = await ctx.runMutation(internal.migrations.deletePage, { table });
                  }
                }
              },
            });

            export const fanOut = internalMutation({
              args: { userIds: v.array(v.id("users")) },
              handler: async (ctx, { userIds }) => {
                for (const userId of userIds) {
                  await ctx.scheduler.runAfter(0, internal.email.welcome, { userId });
                }
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_runs_once_per_item(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_paging_loops_batches_and_scheduling(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
