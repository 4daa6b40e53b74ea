"""auth/broad-patch: patch/replace with the whole args object where the caller can set any field."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "auth/broad-patch"

FLAGGED = [
    flagged("unbounded args, and a role written through the rest of args", {
        "convex/users.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const update = mutation({
              args: v.any(),
              handler: async (ctx, args) => {
                await ctx.db.patch(args.id, { ...args.patch, ...args });
              },
            });

            export const updateProfile = mutation({
              args: { id: v.id("users"), name: v.string(), role: v.optional(v.string()) },
              handler: async (ctx, { id, ...fields }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
                await ctx.db.patch(id, fields);
              },
            });

            export const overwrite = mutation({
              handler: async (ctx, args: any) => {
                await ctx.db.replace(args._id, args);
              },
            });
        """,
    }, ("convex/users.ts", "{ ...args.patch, ...args }"), ("convex/users.ts", "ctx.db.patch(id, fields)"),
        ("convex/users.ts", "ctx.db.replace(args._id, args)")),
]

CLEAN = [
    clean("the documented rest-of-args pattern with a precise validator", {
        "convex/tasks.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const update = mutation({
              args: {
                id: v.id("tasks"),
                text: v.optional(v.string()),
                isCompleted: v.optional(v.boolean()),
              },
              handler: async (ctx, args) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
                const { id, ...rest } = args;
                await ctx.db.patch(id, rest);
              },
            });

            export const setData = mutation({
              args: { id: v.id("tasks"), data: v.optional(v.any()), notes: v.optional(v.string()) },
              handler: async (ctx, { id, ...rest }) => {
                await ctx.db.patch(id, rest);
              },
            });

            export const rename = mutation({
              args: { id: v.id("tasks"), text: v.string() },
              handler: async (ctx, { id, text }) => {
                await ctx.db.patch(id, { text });
              },
            });
        """,
    }),
    clean("internal functions and inserts are out of scope", {
        "convex/users.ts": """
            import { internalMutation, mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const sync = internalMutation({
              args: { id: v.id("users"), role: v.string(), data: v.any() },
              handler: async (ctx, { id, ...fields }) => {
                await ctx.db.patch(id, fields);
              },
            });

            export const create = mutation({
              args: { name: v.string(), bio: v.string() },
              handler: async (ctx, args) => {
                await ctx.db.insert("profiles", { ...args, createdAt: 0 });
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_writes_of_unbounded_or_privileged_args(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_bounded_args_and_named_fields(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
