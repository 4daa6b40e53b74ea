"""validators/missing-args: public functions registered without an args validator."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "validators/missing-args"

FLAGGED = [
    flagged("a public query typed only in TypeScript", {
        "convex/messages.ts": """
            import { query } from "./_generated/server";
            import { Id } from "./_generated/dataModel";

            export const get = query({
              handler: async (ctx, { id }: { id: Id<"messages"> }) => {
                return await ctx.db.get(id);
              },
            });
        """,
    }, ("convex/messages.ts", "export const get")),
    flagged("public mutations and actions, also through a custom builder", {
        "convex/lib/builders.ts": """
            import { customMutation, customCtx } from "convex-helpers/server/customFunctions";
            import { mutation } from "../_generated/server";

            export const authedMutation = customMutation(mutation, customCtx(async (ctx) => {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthorized");
              return { identity };
            }));
        """,
        "convex/tasks.ts": """
            import { action } from "./_generated/server";
            import { authedMutation } from "./lib/builders";

            export const clear = authedMutation({
              handler: async (ctx) => {
                for (const task of await ctx.db.query("tasks").take(100)) await ctx.db.delete(task._id);
              },
            });

            export const sync = action({
              handler: async (ctx) => {
                await fetch("https://example.com/sync");
              },
            });
        """,
    }, ("convex/tasks.ts", "export const clear"), ("convex/tasks.ts", "export const sync")),
]

CLEAN = [
    clean("args present, empty or not, also as a shared constant", {
        "convex/messages.ts": """
            import { query, mutation } from "./_generated/server";
            import { v } from "convex/values";

            const sendArgs = { body: v.string() };

            export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("messages").take(5) });

            export const send = mutation({
              args: sendArgs,
              handler: async (ctx, args) => {
                await ctx.db.insert("messages", args);
              },
            });
        """,
    }),
    clean("internal functions may omit args", {
        "convex/jobs.ts": """
            import { internalMutation, internalQuery } from "./_generated/server";

            export const cleanup = internalMutation({
              handler: async (ctx) => {
                const old = await ctx.db.query("jobs").take(50);
                for (const job of old) await ctx.db.delete(job._id);
              },
            });

            export const peek = internalQuery({ handler: async (ctx) => await ctx.db.query("jobs").first() });
        """,
    }),
    clean("the bare-function form belongs to functions/old-syntax", {
        "convex/storage.ts": """
            import { mutation } from "./_generated/server";

            export const generateUploadUrl = mutation(async (ctx) => {
              return await ctx.storage.generateUploadUrl();
            });
        """,
    }),
    clean("a spread definition may bring its args along", {
        "convex/shared.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            const byId = { args: { id: v.id("items") } };

            export const get = query({
              ...byId,
              handler: async (ctx, { id }) => await ctx.db.get(id),
            });
        """,
    }),
    clean("an httpAction has no args", {
        "convex/hooks.ts": """
            import { httpAction } from "./_generated/server";

            export const hook = httpAction(async () => new Response(null, { status: 204 }));
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_public_functions_without_args(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_declared_args_and_internal_functions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
