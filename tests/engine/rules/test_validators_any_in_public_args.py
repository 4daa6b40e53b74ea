"""validators/any-in-public-args: v.any() in the args of public mutations and actions."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "validators/any-in-public-args"

FLAGGED = [
    flagged("v.any() as an argument, nested, and as the whole args", {
        "convex/settings.ts": """
            import { mutation, action } from "./_generated/server";
            import { v } from "convex/values";

            export const save = mutation({
              args: { settings: v.any() },
              handler: async (ctx, { settings }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
                await ctx.db.insert("settings", { owner: identity.subject, settings });
              },
            });

            export const importRows = action({
              args: {
                rows: v.array(v.object({ id: v.string(), data: v.optional(v.any()) })),
              },
              handler: async (ctx, { rows }) => rows.length,
            });

            export const raw = mutation({
              args: v.any(),
              handler: async (ctx, args) => {
                await ctx.db.insert("events", { payload: args });
              },
            });
        """,
    }, ("convex/settings.ts", "settings: v.any()"), ("convex/settings.ts", "data: v.optional(v.any())"),
        ("convex/settings.ts", "args: v.any()")),
]

CLEAN = [
    clean("v.any() in queries, internal functions and the schema", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              events: defineTable({ payload: v.any() }),
            });
        """,
        "convex/events.ts": """
            import { query, internalMutation, mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const search = query({
              args: { filter: v.any() },
              handler: async (ctx) => await ctx.db.query("events").take(10),
            });

            export const record = internalMutation({
              args: { payload: v.any() },
              handler: async (ctx, { payload }) => {
                await ctx.db.insert("events", { payload });
              },
            });

            export const rename = mutation({
              args: { id: v.id("events"), tags: v.record(v.string(), v.string()) },
              handler: async (ctx, { id, tags }) => {
                await ctx.db.patch(id, { tags });
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_v_any_in_public_write_args(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_v_any_where_clients_cannot_send_it(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
