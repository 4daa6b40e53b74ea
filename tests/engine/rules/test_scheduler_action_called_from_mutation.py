"""scheduler/action-called-from-mutation: ctx.runAction in a mutation."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "scheduler/action-called-from-mutation"

FLAGGED = [
    flagged("the seed's wrong pattern", {
        "convex/mutations.ts": """
            import { mutation } from "./_generated/server";
            import { api } from "./_generated/api";

            export const myMutation = mutation({
              handler: async (ctx) => {
                await ctx.runAction(api.actions.sendEmail);
              },
            });
        """,
    }, ("convex/mutations.ts", "ctx.runAction")),
    flagged("runAction in a helper called from an internal mutation in another file", {
        "convex/model/orders.ts": """
            import { MutationCtx } from "../_generated/server";
            import { internal } from "../_generated/api";

            export async function chargeOrder(ctx: MutationCtx, orderId: string) {
              await ctx.db.patch(orderId as any, { status: "charging" });
              return await ctx.runAction(internal.stripe.charge, { orderId });
            }
        """,
        "convex/orders.ts": """
            import { internalMutation } from "./_generated/server";
            import { v } from "convex/values";
            import { chargeOrder } from "./model/orders";

            export const checkout = internalMutation({
              args: { orderId: v.string() },
              handler: async (ctx, { orderId }) => {
                await chargeOrder(ctx, orderId);
              },
            });
        """,
    }, ("convex/model/orders.ts", "ctx.runAction")),
]

CLEAN = [
    clean("the seed's correct pattern: schedule the action", {
        "convex/mutations.ts": """
            import { mutation } from "./_generated/server";
            import { api } from "./_generated/api";

            export const myMutation = mutation({
              handler: async (ctx, args) => {
                await ctx.scheduler.runAfter(0, api.actions.sendEmail, args);
              },
            });
        """,
    }),
    clean("runAction from an action", {
        "convex/jobs.ts": """
            import { action } from "./_generated/server";
            import { internal } from "./_generated/api";

            export const pipeline = action({
              args: {},
              handler: async (ctx) => {
                const text = await ctx.runAction(internal.ai.summarize, { id: "1" });
                await ctx.runMutation(internal.jobs.save, { text });
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_run_action_in_mutations(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_scheduled_actions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
