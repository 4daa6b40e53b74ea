"""functions/query-writes-db: writes from a query handler or a helper it calls."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "functions/query-writes-db"

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      users: defineTable({ email: v.string(), lastSeen: v.optional(v.number()) }).index("by_email", ["email"]),
    });
"""

FLAGGED = [
    flagged("insert and patch inline in a query", {
        "convex/schema.ts": SCHEMA,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const getOrCreate = query({
              args: { email: v.string() },
              handler: async (ctx, { email }) => {
                const user = await ctx.db
                  .query("users")
                  .withIndex("by_email", (q) => q.eq("email", email))
                  .unique();
                if (user) {
                  await ctx.db.patch(user._id, { lastSeen: 1 });
                  return user;
                }
                return await ctx.db.insert("users", { email });
              },
            });
        """,
    }, ("convex/users.ts", "ctx.db.patch"), ("convex/users.ts", "ctx.db.insert")),
    flagged("delete in a helper imported from convex/model/", {
        "convex/model/sessions.ts": """
            import { QueryCtx } from "../_generated/server";

            export async function pruneExpired(ctx: QueryCtx, userId: string) {
              const sessions = await ctx.db.query("sessions").take(50);
              for (const session of sessions) {
                await ctx.db.delete(session._id);
              }
            }
        """,
        "convex/sessions.ts": """
            import { internalQuery } from "./_generated/server";
            import { v } from "convex/values";
            import { pruneExpired } from "./model/sessions";

            export const active = internalQuery({
              args: { userId: v.string() },
              handler: async (ctx, args) => {
                await pruneExpired(ctx, args.userId);
                return await ctx.db.query("sessions").take(10);
              },
            });
        """,
    }, ("convex/model/sessions.ts", "ctx.db.delete")),
    flagged("replace through a destructured db in the old syntax", {
        "convex/notes.ts": """
            import { query } from "./_generated/server";

            export const touch = query(async ({ db }, { id }: { id: any }) => {
              const note = await db.get(id);
              await db.replace(id, { ...note, touched: true });
            });
        """,
    }, ("convex/notes.ts", "db.replace")),
]

CLEAN = [
    clean("writes in mutations and reads in queries", {
        "convex/schema.ts": SCHEMA,
        "convex/users.ts": """
            import { mutation, query } from "./_generated/server";
            import { v } from "convex/values";

            export const byEmail = query({
              args: { email: v.string() },
              handler: async (ctx, { email }) =>
                await ctx.db.query("users").withIndex("by_email", (q) => q.eq("email", email)).unique(),
            });

            export const create = mutation({
              args: { email: v.string() },
              handler: async (ctx, { email }) => await ctx.db.insert("users", { email }),
            });
        """,
    }),
    clean("a shared helper that writes, called only from a mutation", {
        "convex/lib/audit.ts": """
            import { MutationCtx } from "../_generated/server";

            export async function logEvent(ctx: MutationCtx, kind: string) {
              await ctx.db.insert("events", { kind });
            }

            export async function countEvents(ctx: MutationCtx) {
              return (await ctx.db.query("events").take(100)).length;
            }
        """,
        "convex/events.ts": """
            import { mutation, query } from "./_generated/server";
            import { logEvent, countEvents } from "./lib/audit";

            export const record = mutation({
              args: {},
              handler: async (ctx) => {
                await logEvent(ctx, "click");
              },
            });

            export const count = query({
              args: {},
              handler: async (ctx) => await countEvents(ctx),
            });
        """,
    }),
    clean("an array's delete method in a query is not the database", {
        "convex/tags.ts": """
            import { query } from "./_generated/server";

            export const unique = query({
              args: {},
              handler: async (ctx) => {
                const seen = new Set<string>();
                const map = new Map<string, number>();
                for (const tag of await ctx.db.query("tags").take(100)) {
                  seen.delete(tag.name);
                  map.delete(tag.name);
                }
                return [...seen];
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_writes_reached_from_a_query(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_writes_outside_queries(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
