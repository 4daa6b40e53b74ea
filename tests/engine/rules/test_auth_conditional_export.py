"""auth/conditional-export: Convex functions exported behind a condition."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "auth/conditional-export"

FLAGGED = [
    flagged("a ternary on an environment variable and a guard with &&", {
        "convex/admin.ts": """
            import { mutation, internalMutation, query } from "./_generated/server";
            import { v } from "convex/values";

            export const resetAll = process.env.ALLOW_RESET === "true"
              ? mutation({
                  args: {},
                  handler: async (ctx) => {
                    for (const row of await ctx.db.query("items").take(500)) await ctx.db.delete(row._id);
                  },
                })
              : internalMutation({ args: {}, handler: async () => {} });

            const isDev = process.env.NODE_ENV !== "production";
            export const debugDump = isDev && query({
              args: { table: v.string() },
              handler: async (ctx) => await ctx.db.query("items").take(100),
            });
        """,
    }, ("convex/admin.ts", "export const resetAll"), ("convex/admin.ts", "export const debugDump")),
]

CLEAN = [
    clean("a condition checked inside the handler, and a conditional plain value", {
        "convex/admin.ts": """
            import { mutation } from "./_generated/server";

            const LIMIT = process.env.BIG ? 500 : 50;

            export const resetAll = mutation({
              args: {},
              handler: async (ctx) => {
                if (process.env.ALLOW_RESET !== "true") throw new Error("Disabled");
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
                for (const row of await ctx.db.query("items").take(LIMIT)) await ctx.db.delete(row._id);
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_functions_exported_behind_a_condition(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_conditions_inside_handlers(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
