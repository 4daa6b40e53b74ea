"""correctness/floating-promise: ctx.db / scheduler / run* / storage calls whose promise floats."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/floating-promise"

FLAGGED = [
    flagged("a write and a scheduled job without await", {
        "convex/messages.ts": """
            import { mutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const send = mutation({
              args: { body: v.string() },
              handler: async (ctx, { body }) => {
                ctx.db.insert("messages", { body });
                ctx.scheduler.runAfter(0, internal.notify.all, { body });
              },
            });
        """,
    }, ("convex/messages.ts", "ctx.db.insert"), ("convex/messages.ts", "ctx.scheduler.runAfter")),
    flagged("a run call with .catch, storage in a helper, destructured db under a condition", {
        "convex/lib/files.ts": """
            export async function dropFile(ctx: any, id: string) {
              ctx.storage.delete(id);
            }
        """,
        "convex/files.ts": """
            import { action, mutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";
            import { dropFile } from "./lib/files";

            export const refresh = action({
              args: {},
              handler: async (ctx) => {
                ctx.runMutation(internal.files.touch, {}).catch(console.error);
              },
            });

            export const remove = mutation({
              args: { id: v.id("files"), storageId: v.id("_storage") },
              handler: async ({ db, storage }, args) => {
                args.id && db.delete(args.id);
                await dropFile({ storage }, args.storageId);
              },
            });
        """,
    }, ("convex/files.ts", "ctx.runMutation(internal.files.touch"), ("convex/files.ts", "db.delete"),
       ("convex/lib/files.ts", "ctx.storage.delete")),
]

CLEAN = [
    clean("awaited, returned, stored, passed on or explicitly voided", {
        "convex/messages.ts": """
            import { mutation, query } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const send = mutation({
              args: { body: v.string(), ids: v.array(v.id("messages")) },
              handler: async (ctx, { body, ids }) => {
                const id = await ctx.db.insert("messages", { body });
                const pending = ctx.db.get(id);
                await Promise.all(ids.map((other) => ctx.db.delete(other)));
                void ctx.scheduler.runAfter(0, internal.notify.all, { body });
                await pending;
                return ctx.db.get(id);
              },
            });

            export const one = query({
              args: { id: v.id("messages") },
              handler: (ctx, { id }) => ctx.db.get(id),
            });
        """,
    }),
    clean("synchronous normalizeId and a bare query builder are not promises", {
        "convex/lookup.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const find = query({
              args: { raw: v.string() },
              handler: async (ctx, { raw }) => {
                ctx.db.normalizeId("messages", raw);
                const id = ctx.db.normalizeId("messages", raw);
                return id ? await ctx.db.get(id) : null;
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_floating_convex_promises(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_handled_promises(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
