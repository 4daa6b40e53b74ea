"""cors/missing-headers: HTTP responses without Access-Control-Allow-Origin."""

from __future__ import annotations

import pytest

from tests.engine.fixtures import OAUTH_CALLBACK, SIGNED_WEBHOOKS
from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "cors/missing-headers"

FLAGGED = [
    flagged("success, error and preflight responses with only a content type", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { api } from "./_generated/api";

            const JSON_HEADERS = { "Content-Type": "application/json" };
            const http = httpRouter();

            http.route({
              path: "/messages",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                try {
                  const body = await request.json();
                  const id = await ctx.runMutation(api.messages.send, body);
                  return new Response(JSON.stringify({ id }), { status: 201, headers: JSON_HEADERS });
                } catch (error) {
                  return Response.json({ error: "failed" }, { status: 500 });
                }
              }),
            });

            http.route({
              path: "/messages",
              method: "OPTIONS",
              handler: httpAction(async () => new Response(null, { status: 204 })),
            });

            export default http;
        """,
    }, ("convex/http.ts", "return new Response(JSON.stringify({ id })"), ("convex/http.ts", "Response.json"),
       ("convex/http.ts", "new Response(null")),
    flagged("an OPTIONS handler whose only answer has no CORS headers", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            http.route({
              path: "/upload",
              method: "OPTIONS",
              handler: httpAction(async () => new Response()),
            });
            export default http;
        """,
    }, ("convex/http.ts", "new Response()")),
    flagged("an exported httpAction routed from http.ts, and the helper it calls", {
        "convex/lib/responses.ts": """
            export function unauthorized() {
              return new Response("Unauthorized", { status: 401 });
            }
        """,
        "convex/uploads.ts": """
            import { httpAction } from "./_generated/server";
            import { unauthorized } from "./lib/responses";

            export const upload = httpAction(async (ctx, request) => {
              if (!request.headers.get("Authorization")) return unauthorized();
              const blob = await request.blob();
              const storageId = await ctx.storage.store(blob);
              return new Response(JSON.stringify({ storageId }), {
                status: 200,
                headers: new Headers({ "Content-Type": "application/json" }),
              });
            });
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { upload } from "./uploads";

            const http = httpRouter();
            http.route({ path: "/upload", method: "POST", handler: upload });
            export default http;
        """,
    }, ("convex/lib/responses.ts", "new Response"), ("convex/uploads.ts", "return new Response")),
    flagged("a browser endpoint that verifies the user's token with a key from the environment", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { verifyToken } from "./lib/jwt";

            const http = httpRouter();
            http.route({
              path: "/api/me",
              method: "GET",
              handler: httpAction(async (ctx, request) => {
                const token = request.headers.get("Authorization");
                const user = await verifyToken(token, process.env.JWT_KEY);
                return new Response(JSON.stringify(user), { status: 200 });
              }),
            });
            export default http;
        """,
        "convex/lib/jwt.ts": "export async function verifyToken(token: any, key: any) { return { token, key }; }\n",
    }, ("convex/http.ts", "new Response(JSON")),
    flagged("a Headers variable given only a content type at runtime", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            http.route({
              path: "/data",
              method: "GET",
              handler: httpAction(async () => {
                const headers = new Headers();
                headers.set("Content-Type", "application/json");
                return new Response("{}", { headers });
              }),
            });
            export default http;
        """,
    }, ("convex/http.ts", 'return new Response("{}"')),
    flagged("a browser route on the plain router beside a corsRouter: its own OPTIONS route and CORS", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { corsRouter } from "convex-helpers/server/cors";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            const browser = corsRouter(http, {});
            browser.route({ path: "/a", method: "GET", handler: httpAction(async () => new Response("a")) });
            http.route({
              path: "/export",
              method: "OPTIONS",
              handler: httpAction(async () => new Response(null, { headers: { "Access-Control-Allow-Origin": "*" } })),
            });
            http.route({
              path: "/export",
              method: "POST",
              handler: httpAction(async (ctx, req) => {
                if (!req.headers.get("Authorization")) return new Response("no", { status: 401 });
                return new Response("ok", { headers: { "Access-Control-Allow-Origin": "*" } });
              }),
            });
            export default http;
        """,
    }, ("convex/http.ts", 'return new Response("no"')),
    flagged("a route registered on the Hono router's Convex side, which Hono's cors() never sees", {
        "convex/http.ts": """
            import { Hono } from "hono";
            import { cors } from "hono/cors";
            import { HttpRouterWithHono } from "convex-helpers/server/hono";
            import { httpAction } from "./_generated/server";

            const app = new Hono();
            app.use("/*", cors());
            const http = new HttpRouterWithHono(app);
            http.route({
              path: "/ping",
              method: "GET",
              handler: httpAction(async () =>
                new Response(JSON.stringify({ ok: true }), { headers: { "Content-Type": "application/json" } })),
            });
            export default http;
        """,
    }, ("convex/http.ts", "new Response(JSON.stringify({ ok: true })")),
    flagged("a catch-all error wrapper that builds the handler answers without CORS", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction, type ActionCtx } from "./_generated/server";

            function withErrors(handler: (ctx: ActionCtx, req: Request) => Promise<Response>) {
              return httpAction(async (ctx, req) => {
                try {
                  return await handler(ctx, req);
                } catch {
                  return new Response("boom", { status: 500 });
                }
              });
            }

            const CORS = { "Access-Control-Allow-Origin": "*" };
            const http = httpRouter();
            http.route({
              path: "/x",
              method: "POST",
              handler: withErrors(async () => new Response("ok", { headers: CORS })),
            });
            http.route({
              path: "/x",
              method: "OPTIONS",
              handler: httpAction(async () => new Response(null, { headers: CORS })),
            });
            export default http;
        """,
    }, ("convex/http.ts", 'return new Response("boom"')),
]

CORS_LIB = """
    export const CORS_HEADERS = {
      "Access-Control-Allow-Origin": process.env.CLIENT_ORIGIN!,
      "Access-Control-Allow-Methods": "POST, OPTIONS",
      "Access-Control-Allow-Headers": "Content-Type, Authorization",
      Vary: "Origin",
    };

    export function corsHeaders(extra: Record<string, string> = {}) {
      return { ...CORS_HEADERS, ...extra };
    }

    export function json(data: unknown, status = 200) {
      return new Response(JSON.stringify(data), {
        status,
        headers: { ...CORS_HEADERS, "Content-Type": "application/json" },
      });
    }
"""

CLEAN = [
    clean("webhooks reading signature headers through an alias, verified in the action they run",
          SIGNED_WEBHOOKS),

    clean("CORS through a spread constant imported from another file, a helper and a json() wrapper", {
        "convex/lib/cors.ts": CORS_LIB,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { api } from "./_generated/api";
            import { CORS_HEADERS, corsHeaders, json } from "./lib/cors";

            const http = httpRouter();

            http.route({
              path: "/messages",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                try {
                  const body = await request.json();
                  if (!body.text) return json({ error: "text is required" }, 400);
                  const id = await ctx.runMutation(api.messages.send, body);
                  return new Response(JSON.stringify({ id }), {
                    status: 201,
                    headers: { ...CORS_HEADERS, "Content-Type": "application/json" },
                  });
                } catch (error) {
                  return Response.json({ error: "failed" }, { status: 500, headers: corsHeaders() });
                }
              }),
            });

            http.route({
              path: "/messages",
              method: "OPTIONS",
              handler: httpAction(async () => new Response(null, { status: 204, headers: new Headers(CORS_HEADERS) })),
            });

            export default http;
        """,
    }),
    clean("headers passed in by the caller are out of sight", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            function reply(body: string, headers: HeadersInit) {
              return new Response(body, { status: 200, headers });
            }

            const http = httpRouter();
            http.route({
              path: "/ping",
              method: "POST",
              handler: httpAction(async (ctx, request) => reply("pong", { "Access-Control-Allow-Origin": "*" })),
            });
            export default http;
        """,
    }),
    clean("convex-helpers corsRouter adds the headers", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { corsRouter } from "convex-helpers/server/cors";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            const cors = corsRouter(http, { allowedOrigins: ["https://app.example.com"] });

            cors.route({
              path: "/messages",
              method: "POST",
              handler: httpAction(async () => new Response(JSON.stringify({ ok: true }), { status: 200 })),
            });
            export default http;
        """,
    }),
    clean("a Stripe webhook that verifies its signature (server to server)", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";
            import Stripe from "stripe";

            const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);
            const http = httpRouter();

            http.route({
              path: "/stripe/webhook",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const signature = request.headers.get("stripe-signature")!;
                const payload = await request.text();
                try {
                  const event = await stripe.webhooks.constructEventAsync(
                    payload, signature, process.env.STRIPE_WEBHOOK_SECRET!);
                  await ctx.runMutation(internal.billing.handleEvent, { event: JSON.stringify(event) });
                  return new Response(null, { status: 200 });
                } catch (err) {
                  return new Response("Webhook Error", { status: 400 });
                }
              }),
            });
            export default http;
        """,
    }),
    clean("Convex's documented preflight handler: a bare response when it is not a CORS request", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            http.route({
              path: "/sendImage",
              method: "OPTIONS",
              handler: httpAction(async (_, request) => {
                const headers = request.headers;
                if (
                  headers.get("Origin") !== null &&
                  headers.get("Access-Control-Request-Method") !== null &&
                  headers.get("Access-Control-Request-Headers") !== null
                ) {
                  return new Response(null, {
                    headers: new Headers({
                      "Access-Control-Allow-Origin": process.env.CLIENT_ORIGIN!,
                      "Access-Control-Allow-Methods": "POST",
                      "Access-Control-Allow-Headers": "Content-Type, Digest",
                      "Access-Control-Max-Age": "86400",
                    }),
                  });
                } else {
                  return new Response();
                }
              }),
            });
            export default http;
        """,
    }),
    clean("a webhook route that does not verify its sender (auth/http-without-auth's finding)", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const http = httpRouter();
            http.route({
              path: "/clerk-webhook",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                await ctx.runMutation(internal.users.sync, { event: await request.json() });
                return new Response("ok", { status: 200 });
              }),
            });
            export default http;
        """,
    }),
    clean("an OAuth callback that redirects the browser", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const http = httpRouter();
            http.route({
              path: "/github/callback",
              method: "GET",
              handler: httpAction(async (ctx, request) => {
                const code = new URL(request.url).searchParams.get("code");
                await ctx.runAction(internal.github.exchangeCode, { code: code ?? "" });
                return new Response(null, { status: 302, headers: { Location: process.env.SITE_URL! } });
              }),
            });
            export default http;
        """,
    }),
    clean("a mutable Headers object that gets the header later", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            http.route({
              path: "/file",
              method: "GET",
              handler: httpAction(async (ctx, request) => {
                const headers = new Headers();
                headers.set("Access-Control-Allow-Origin", "*");
                headers.set("Content-Type", "text/plain");
                return new Response("hello", { headers });
              }),
            });
            export default http;
        """,
    }),
    clean("HTML pages of an OAuth callback, which the browser navigates to", OAUTH_CALLBACK),
    clean("an endpoint for servers: the Authorization header compared with an environment secret", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const http = httpRouter();
            http.route({
              path: "/api/errors/digest",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const header = request.headers.get("Authorization");
                const expected = process.env.DIGEST_SECRET;
                if (!expected || header !== `Bearer ${expected}`) {
                  return new Response("Unauthorized", { status: 401 });
                }
                await ctx.runMutation(internal.digests.store, { body: await request.text() });
                return new Response(null, { status: 200 });
              }),
            });
            export default http;
        """,
    }),
    clean("a proxy registered on the plain router beside the file's corsRouter", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { corsRouter } from "convex-helpers/server/cors";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            const cors = corsRouter(http, { allowedOrigins: ["https://app.example.com"] });
            cors.route({
              path: "/messages",
              method: "POST",
              handler: httpAction(async () => new Response(JSON.stringify({ ok: true }), { status: 200 })),
            });
            http.route({
              pathPrefix: "/llm-proxy/",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const upstream = await fetch("https://llm.example.com/v1", { method: "POST", body: request.body });
                return new Response(upstream.body, { status: upstream.status });
              }),
            });
            export default http;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_responses_without_cors(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_cors_given_through_constants_spreads_and_helpers(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
