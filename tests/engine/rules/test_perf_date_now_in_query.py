"""perf/date-now-in-query: reading the clock inside a query."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "perf/date-now-in-query"

FLAGGED = [
    flagged("Date.now() and new Date() in query handlers", {
        "convex/events.ts": """
            import { query, internalQuery } from "./_generated/server";

            export const live = query({
              args: {},
              handler: async (ctx) => {
                const now = Date.now();
                const events = await ctx.db.query("events").take(100);
                return events.filter((e) => e.endsAt > now);
              },
            });

            export const today = internalQuery({
              args: {},
              handler: async (ctx) => {
                const day = new Date().toISOString().slice(0, 10);
                return await ctx.db.query("events").withIndex("by_day", (q) => q.eq("day", day)).take(10);
              },
            });
        """,
    }, ("convex/events.ts", "const now = Date.now()"), ("convex/events.ts", "new Date().toISOString")),
    flagged("in a helper that a query calls, reported once in the helper", {
        "convex/lib/sessions.ts": """
            export function isExpired(session: { expiresAt: number }) {
              return session.expiresAt < Date.now();
            }
        """,
        "convex/sessions.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";
            import { isExpired } from "./lib/sessions";

            export const valid = query({
              args: { id: v.id("sessions") },
              handler: async (ctx, { id }) => {
                const session = await ctx.db.get(id);
                return session !== null && !isExpired(session);
              },
            });

            export const alsoValid = query({
              args: { id: v.id("sessions") },
              handler: async (ctx, { id }) => {
                const session = await ctx.db.get(id);
                return session !== null && !isExpired(session);
              },
            });
        """,
    }, ("convex/lib/sessions.ts", "Date.now()")),
]

CLEAN = [
    clean("the clock in mutations and actions, and new Date(ts) in a query", {
        "convex/events.ts": """
            import { mutation, action, query } from "./_generated/server";
            import { v } from "convex/values";

            export const create = mutation({
              args: { title: v.string() },
              handler: async (ctx, { title }) => {
                await ctx.db.insert("events", { title, createdAt: Date.now() });
              },
            });

            export const ping = action({ args: {}, handler: async () => new Date().getTime() });

            export const label = query({
              args: { id: v.id("events") },
              handler: async (ctx, { id }) => {
                const event = await ctx.db.get(id);
                return event ? new Date(event.createdAt).toISOString() : null;
              },
            });

            export const upcoming = query({
              args: { now: v.number() },
              handler: async (ctx, { now }) =>
                await ctx.db.query("events").withIndex("by_start", (q) => q.gt("start", now)).take(20),
            });
        """,
    }),
    clean("a helper with the clock that only mutations call", {
        "convex/lib/time.ts": """
            export const stamp = () => ({ at: Date.now() });
            export function now() {
              return Date.now();
            }
        """,
        "convex/log.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            import { now } from "./lib/time";

            export const add = mutation({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                await ctx.db.insert("log", { text, at: now() });
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_the_clock_in_queries(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_the_clock_outside_queries(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
