"""correctness/non-determinism-in-query: random values inside queries."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/non-determinism-in-query"

FLAGGED = [
    flagged("Math.random, crypto.randomUUID and uuid's v4 in queries", {
        "convex/lib/ids.ts": """
            import { v4 as uuidv4 } from "uuid";
            export const newRequestId = () => uuidv4();
        """,
        "convex/quotes.ts": """
            import { query } from "./_generated/server";
            import { newRequestId } from "./lib/ids";

            export const random = query({
              args: {},
              handler: async (ctx) => {
                const quotes = await ctx.db.query("quotes").take(100);
                return quotes[Math.floor(Math.random() * quotes.length)];
              },
            });

            export const withNonce = query({
              args: {},
              handler: async (ctx) => ({ nonce: crypto.randomUUID(), request: newRequestId() }),
            });
        """,
    }, ("convex/quotes.ts", "Math.random()"), ("convex/quotes.ts", "crypto.randomUUID()"),
        ("convex/lib/ids.ts", "uuidv4()")),
]

CLEAN = [
    clean("randomness in mutations, hashing and the clock in queries, a local random helper", {
        "convex/quotes.ts": """
            import { query, mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const add = mutation({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                await ctx.db.insert("quotes", { text, rand: Math.random(), key: crypto.randomUUID() });
              },
            });

            export const byDigest = query({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
                return new Uint8Array(digest).length;
              },
            });

            export const pick = query({
              args: { seed: v.number() },
              handler: async (ctx, { seed }) => {
                const quotes = await ctx.db.query("quotes").withIndex("by_rand", (q) => q.gte("rand", seed)).first();
                return quotes;
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_random_values_in_queries(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_randomness_outside_queries(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
