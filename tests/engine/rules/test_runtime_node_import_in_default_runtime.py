"""runtime/node-import-in-default-runtime: Node-only imports in modules without "use node"."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "runtime/node-import-in-default-runtime"

FLAGGED = [
    flagged("Node built-ins and a 'use node' module imported by default-runtime modules", {
        "convex/stripe.ts": """
            "use node";
            import Stripe from "stripe";
            import { internalAction } from "./_generated/server";

            export const createSession = internalAction({ args: {}, handler: async () => new Stripe("k").customers });
            export const PRICE = "price_123";
        """,
        "convex/webhooks.ts": """
            import { createHmac } from "crypto";
            import { readFileSync } from "node:fs";
            import { httpAction } from "./_generated/server";

            export const verify = httpAction(async (ctx, request) => {
              const body = await request.text();
              const sig = createHmac("sha256", "k").update(body).digest("hex");
              return new Response(sig + readFileSync("x").length);
            });
        """,
        "convex/billing.ts": """
            import { mutation } from "./_generated/server";
            import { PRICE } from "./stripe";
            const path = require("child_process");

            export const plan = mutation({ args: {}, handler: async () => PRICE + String(path) });
        """,
    }, ("convex/webhooks.ts", 'from "crypto"'), ("convex/webhooks.ts", 'from "node:fs"'),
        ("convex/billing.ts", 'from "./stripe"'), ("convex/billing.ts", 'require("child_process")')),
]

CLEAN = [
    clean("Node imports in 'use node' modules, type-only imports, Web crypto and tests", {
        "convex/stripe.ts": """
            "use node";
            import { createHmac } from "node:crypto";
            import { internalAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            export const handle = internalAction({
              args: {},
              handler: async (ctx) => {
                createHmac("sha256", "k");
                await ctx.runMutation(internal.billing.record, {});
              },
            });
        """,
        "convex/billing.ts": """
            import type { Readable } from "node:stream";
            import { type KeyObject } from "crypto";
            import { internalMutation } from "./_generated/server";
            import type { handle } from "./stripe";

            export const record = internalMutation({
              args: {},
              handler: async (ctx) => {
                const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("x"));
                await ctx.db.insert("events", { size: digest.byteLength });
              },
            });
        """,
        "convex/billing.test.ts": """
            import { readFileSync } from "fs";
            import { convexTest } from "convex-test";
            export const fixture = () => readFileSync("fixture.json", "utf8") + String(convexTest);
        """,
        "convex/lib/types.ts": """
            import { Stripe } from "stripe";
            import { handle } from "../stripe";
            import { createHmac } from "crypto";

            export type Session = Stripe.Checkout.Session;
            export type Handler = typeof handle;
            export function sign(hmac: ReturnType<typeof createHmac>): string {
              return String(hmac);
            }
        """,
        "convex/lib/buffer.ts": """
            import { Buffer } from "buffer";
            export const toBase64 = (s: string) => Buffer.from(s).toString("base64");
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_node_only_imports_in_the_default_runtime(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_node_imports_where_node_runs(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
