"""validators/missing-returns: public functions without a returns validator."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "validators/missing-returns"
# `returns:` exists from convex 1.13.0.
RETURNS_VERSION = '{"dependencies": {"convex": "1.13.0"}}'
UNCHECKED = """
    import { query } from "./_generated/server";
    export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("boards").take(20) });
"""

FLAGGED = [
    flagged("public query, mutation and action without returns", {
        "package.json": RETURNS_VERSION,
        "convex/users.ts": """
            import { query, mutation, action } from "./_generated/server";
            import { v } from "convex/values";

            export const me = query({
              args: {},
              handler: async (ctx) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) return null;
                return await ctx.db
                  .query("users")
                  .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier))
                  .unique();
              },
            });

            export const rename = mutation({
              args: { name: v.string() },
              handler: async (ctx, { name }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
              },
            });

            export const avatar = action({ args: { url: v.string() }, handler: async (ctx, { url }) => url });
        """,
    }, ("convex/users.ts", "export const me"), ("convex/users.ts", "export const rename"),
        ("convex/users.ts", "export const avatar")),
    flagged("a custom query builder counts as a public query", {
        "package.json": RETURNS_VERSION,
        "convex/lib/functions.ts": """
            import { customQuery, customCtx } from "convex-helpers/server/customFunctions";
            import { query } from "../_generated/server";

            export const userQuery = customQuery(query, customCtx(async (ctx) => {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthenticated");
              return { identity };
            }));
        """,
        "convex/boards.ts": """
            import { userQuery } from "./lib/functions";

            export const list = userQuery({
              args: {},
              handler: async (ctx) => await ctx.db.query("boards").take(20),
            });
        """,
    }, ("convex/boards.ts", "export const list")),
]

CLEAN = [
    clean("a convex version before returns existed (1.12.2)", {
        "package.json": '{"dependencies": {"convex": "~1.12.2"}}',
        "convex/boards.ts": UNCHECKED,
    }),
    clean("a convex version the auditor cannot read", {"convex/boards.ts": UNCHECKED}),
    clean("returns declared, internal functions, http actions", {
        "convex/users.ts": """
            import { query, internalMutation, httpAction } from "./_generated/server";
            import { v } from "convex/values";

            export const count = query({
              args: {},
              returns: v.number(),
              handler: async (ctx) => (await ctx.db.query("users").take(100)).length,
            });

            export const touch = internalMutation({
              args: { id: v.id("users") },
              handler: async (ctx, { id }) => {
                await ctx.db.patch(id, { seenAt: 1 });
              },
            });

            export const hook = httpAction(async () => new Response(null, { status: 204 }));
        """,
    }),
    clean("the bare-function form belongs to functions/old-syntax", {
        "convex/files.ts": """
            import { mutation } from "./_generated/server";

            export const generateUploadUrl = mutation(async (ctx) => await ctx.storage.generateUploadUrl());
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_public_functions_without_returns(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_declared_returns_and_internal_functions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
