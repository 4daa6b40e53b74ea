"""correctness/mutation-from-query: ctx.runMutation or ctx.runAction inside a query."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/mutation-from-query"

FLAGGED = [
    flagged("in a query handler and in a helper a query calls", {
        "convex/lib/profiles.ts": """
            import { internal } from "../_generated/api";

            export async function ensureProfile(ctx: any, subject: string) {
              return await ctx.runMutation(internal.profiles.create, { subject });
            }
        """,
        "convex/profiles.ts": """
            import { query, internalMutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";
            import { ensureProfile } from "./lib/profiles";

            export const create = internalMutation({
              args: { subject: v.string() },
              handler: async (ctx, { subject }) => await ctx.db.insert("profiles", { subject }),
            });

            export const getOrCreate = query({
              args: {},
              handler: async (ctx) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) return null;
                return await ensureProfile(ctx, identity.subject);
              },
            });

            export const enrich = query({
              args: {},
              handler: async (ctx) => await ctx.runAction(internal.ai.enrich, {}),
            });
        """,
    }, ("convex/lib/profiles.ts", "ctx.runMutation"), ("convex/profiles.ts", "ctx.runAction")),
]

CLEAN = [
    clean("runMutation in mutations and actions, runQuery in a query", {
        "convex/profiles.ts": """
            import { query, mutation, action } from "./_generated/server";
            import { internal } from "./_generated/api";

            export const get = query({
              args: {},
              handler: async (ctx) => await ctx.runQuery(internal.profiles.read, {}),
            });

            export const ensure = mutation({
              args: {},
              handler: async (ctx) => await ctx.runMutation(internal.profiles.create, { subject: "x" }),
            });

            export const sync = action({
              args: {},
              handler: async (ctx) => {
                await ctx.runMutation(internal.profiles.create, { subject: "y" });
                await ctx.runAction(internal.ai.enrich, {});
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_writes_and_actions_run_from_queries(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_runs_from_mutations_and_actions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
