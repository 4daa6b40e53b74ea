"""Fixture projects more than one rule's tests share."""

from __future__ import annotations

from tests.engine.helpers import Project

# Two webhook receivers that read their signature headers through an alias of request.headers and
# verify the signature in the action they run: server-to-server endpoints, clean for the HTTP rules.
SIGNED_WEBHOOKS: Project = {
    "convex/auth.config.ts": """
        export default { providers: [] };
    """,
    "convex/http.ts": """
        import { httpRouter } from "convex/server";
        import { httpAction } from "./_generated/server";
        import { internal } from "./_generated/api";

        const http = httpRouter();

        http.route({
          path: "/payments",
          method: "POST",
          handler: httpAction(async (ctx, request) => {
            const result = await ctx.runAction(internal.payments.handleEvent, {
              body: await request.text(),
              headers: Object.fromEntries(request.headers.entries()),
            });
            return new Response(result.ok ? null : "Bad event", { status: result.ok ? 200 : 400 });
          }),
        });

        http.route({
          path: "/identity",
          method: "POST",
          handler: httpAction(async (ctx, req) => {
            const h = req.headers;
            const event = await ctx.runAction(internal.identity.verifyEvent, {
              raw: await req.text(),
              svix: { id: h.get("svix-id")!, ts: h.get("svix-timestamp")!, sig: h.get("svix-signature")! },
            });
            await ctx.runMutation(internal.users.sync, { event });
            return new Response(null, { status: 200 });
          }),
        });

        export default http;
    """,
    "convex/payments.ts": """
        "use node";
        import Stripe from "stripe";
        import { internalAction } from "./_generated/server";
        import { v } from "convex/values";

        export const handleEvent = internalAction({
          args: { body: v.string(), headers: v.record(v.string(), v.string()) },
          handler: async (ctx, { body, headers }) => {
            const sig = headers["stripe-signature"];
            const client = new Stripe(process.env.STRIPE_KEY!);
            try {
              client.webhooks.constructEvent(body, sig, process.env.STRIPE_WEBHOOK_SECRET!);
              return { ok: true };
            } catch {
              return { ok: false };
            }
          },
        });
    """,
}

# An OAuth callback answering the browser's popup with HTML pages (and one JSON error).
OAUTH_CALLBACK: Project = {
    "convex/http.ts": """
        import { httpRouter } from "convex/server";
        import { httpAction } from "./_generated/server";
        import { internal } from "./_generated/api";

        const PAGE = { "Content-Type": "text/html; charset=utf-8" };
        const http = httpRouter();
        http.route({
          path: "/oauth/callback",
          method: "GET",
          handler: httpAction(async (ctx, request) => {
            try {
              const code = new URL(request.url).searchParams.get("code");
              if (!code) return new Response(JSON.stringify({ error: "missing code" }), { status: 400 });
              await ctx.runAction(internal.calendar.exchange, { code });
              return new Response("<html><body>Connected. You can close this window.</body></html>", {
                status: 200,
                headers: PAGE,
              });
            } catch (error) {
              return new Response("<html><body>Connection failed.</body></html>", {
                status: 200,
                headers: { "Content-Type": "text/html" },
              });
            }
          }),
        });
        export default http;
    """,
}
