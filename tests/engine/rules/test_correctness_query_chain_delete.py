"""correctness/query-chain-delete: .delete() chained on ctx.db.query(...)."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/query-chain-delete"

FLAGGED = [
    flagged("after withIndex, and straight on the query in a helper", {
        "convex/sessions.ts": """
            import { internalMutation, MutationCtx } from "./_generated/server";
            import { v } from "convex/values";

            async function wipe(ctx: MutationCtx) {
              await ctx.db.query("logs").delete();
            }

            export const purge = internalMutation({
              args: { userId: v.id("users") },
              handler: async (ctx, { userId }) => {
                await ctx.db
                  .query("sessions")
                  .withIndex("by_user", (q) => q.eq("userId", userId))
                  .delete();
                await wipe(ctx);
              },
            });
        """,
    }, ("convex/sessions.ts", "await ctx.db", 2), ("convex/sessions.ts", 'ctx.db.query("logs")')),
]

CLEAN = [
    clean("collect then ctx.db.delete each, and delete on a Map", {
        "convex/sessions.ts": """
            import { internalMutation } from "./_generated/server";
            import { v } from "convex/values";

            export const purge = internalMutation({
              args: { userId: v.id("users") },
              handler: async (ctx, { userId }) => {
                const rows = await ctx.db
                  .query("sessions")
                  .withIndex("by_user", (q) => q.eq("userId", userId))
                  .collect();
                const byId = new Map(rows.map((row) => [row._id, row]));
                for (const row of rows) {
                  byId.delete(row._id);
                  await ctx.db.delete(row._id);
                }
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_delete_on_a_query(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_deleting_documents_one_by_one(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
