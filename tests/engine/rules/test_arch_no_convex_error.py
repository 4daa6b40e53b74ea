"""arch/no-convex-error: throw new Error in a public function's handler."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "arch/no-convex-error"

FLAGGED = [
    flagged("not-found and permission errors in a query, a mutation and an action", {
        "convex/documents.ts": """
            import { query, mutation, action } from "./_generated/server";
            import { v } from "convex/values";

            export const get = query({
              args: { id: v.id("documents") },
              handler: async (ctx, { id }) => {
                const document = await ctx.db.get(id);
                if (!document) throw new Error("Document not found");
                return document;
              },
            });

            export const rename = mutation({
              args: { id: v.id("documents"), title: v.string() },
              handler: async (ctx, { id, title }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) {
                  throw Error("Not signed in");
                }
                await ctx.db.patch(id, { title });
              },
            });

            export const translate = action({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error(`Unauthenticated call with ${text.length} chars`);
                return text;
              },
            });
        """,
    }, ("convex/documents.ts", "Document not found"), ("convex/documents.ts", 'throw Error("Not signed in")'),
       ("convex/documents.ts", "throw new Error(`Unauthenticated")),
]

CLEAN = [
    clean("ConvexError, internal functions, helpers, rethrows and HTTP actions", {
        "convex/documents.ts": """
            import { query, internalMutation, httpAction } from "./_generated/server";
            import { ConvexError, v } from "convex/values";
            import { requireUser } from "./lib/auth";

            export const get = query({
              args: { id: v.id("documents") },
              handler: async (ctx, { id }) => {
                await requireUser(ctx);
                const document = await ctx.db.get(id);
                if (!document) throw new ConvexError({ code: "NOT_FOUND", id });
                try {
                  return document;
                } catch (error) {
                  throw error;
                }
              },
            });

            export const purge = internalMutation({
              args: { id: v.id("documents") },
              handler: async (ctx, { id }) => {
                if (!(await ctx.db.get(id))) throw new Error("already gone");
                await ctx.db.delete(id);
              },
            });

            export const hook = httpAction(async (ctx, request) => {
              if (!request.headers.get("authorization")) throw new Error("no auth");
              return new Response(null, { status: 204 });
            });
        """,
        "convex/lib/auth.ts": """
            import type { QueryCtx } from "../_generated/server";

            export async function requireUser(ctx: QueryCtx) {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthenticated");
              return identity;
            }
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_plain_errors_thrown_to_clients(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_convex_errors_and_backend_only_code(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
