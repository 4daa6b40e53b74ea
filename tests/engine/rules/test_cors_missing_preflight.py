"""cors/missing-preflight: routes without an OPTIONS route."""

from __future__ import annotations

import pytest

from tests.engine.fixtures import SIGNED_WEBHOOKS
from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "cors/missing-preflight"

FLAGGED = [
    flagged("a POST route and an authenticated GET without OPTIONS", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { api } from "./_generated/api";

            const CORS_HEADERS = { "Access-Control-Allow-Origin": "*" };
            const http = httpRouter();

            http.route({
              path: "/your-endpoint",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const result = await ctx.runMutation(api.mutations.yourMutation, await request.json());
                return new Response(JSON.stringify({ success: true, data: result }), { status: 200,
                  headers: CORS_HEADERS });
              }),
            });

            http.route({
              path: "/me",
              method: "GET",
              handler: httpAction(async (ctx, request) => {
                const token = request.headers.get("Authorization");
                return new Response(JSON.stringify({ token: !!token }), { status: 200, headers: CORS_HEADERS });
              }),
            });

            http.route({
              path: "/other",
              method: "OPTIONS",
              handler: httpAction(async () => new Response(null, { status: 204, headers: CORS_HEADERS })),
            });

            export default http;
        """,
    }, ("convex/http.ts", "http.route({", 1), ("convex/http.ts", "http.route({", 2)),
    flagged("a pathPrefix route whose OPTIONS route has another prefix", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            const handler = httpAction(async () => new Response(null, { status: 204 }));
            http.route({ pathPrefix: "/files/", method: "PUT", handler });
            http.route({ pathPrefix: "/api/", method: "OPTIONS", handler });
            export default http;
        """,
    }, ("convex/http.ts", "/files/")),
]

CLEAN = [
    clean("webhooks reading signature headers through an alias, verified in the action they run",
          SIGNED_WEBHOOKS),

    clean("webhook paths are called by servers", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const handleWebhook = httpAction(async (ctx, request) => {
              await ctx.runMutation(internal.billing.record, { event: await request.text() });
              return new Response(null, { status: 200 });
            });

            const http = httpRouter();
            http.route({ path: "/webhooks/polar", method: "POST", handler: handleWebhook });
            http.route({ path: "/lemon-webhook", method: "POST", handler: handleWebhook });
            export default http;
        """,
    }),
    clean("the seed's route with its OPTIONS route", {
        "convex/http.ts": """
            import { httpRouter, httpAction } from "convex/server";
            import { api } from "./_generated/api";

            const CORS_HEADERS = { "Access-Control-Allow-Origin": "*", "Vary": "Origin" };
            const http = httpRouter();

            http.route({
              path: "/your-endpoint",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const body = await request.json();
                const result = await ctx.runMutation(api.mutations.yourMutation, body);
                return new Response(JSON.stringify({ success: true, data: result }), { status: 200,
                  headers: CORS_HEADERS });
              }),
            });

            http.route({
              path: "/your-endpoint",
              method: "OPTIONS",
              handler: httpAction(async () => {
                return new Response(null, { status: 200, headers: CORS_HEADERS });
              }),
            });

            export default http;
        """,
    }),
    clean("routes registered in a loop and by a helper, with computed methods and paths", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            const CORS = { "Access-Control-Allow-Origin": "*" };
            const ok = httpAction(async () => new Response(null, { status: 204, headers: CORS }));

            for (const method of ["POST", "OPTIONS"] as const) {
              http.route({ path: "/items", method, handler: ok });
            }

            function corsRoute(path: string, handler: typeof ok) {
              http.route({ path, method: "POST", handler });
              http.route({ path, method: "OPTIONS", handler: ok });
            }
            corsRoute("/orders", ok);
            http.route({ path: "/orders", method: "POST", handler: ok });

            export default http;
        """,
    }),
    clean("an OPTIONS route registered with a pathPrefix that covers the routes", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { preflight, createMessage, uploadFile } from "./api";

            const http = httpRouter();
            http.route({ pathPrefix: "/api/", method: "OPTIONS", handler: preflight });
            http.route({ path: "/api/messages", method: "POST", handler: createMessage });
            http.route({ pathPrefix: "/api/files/", method: "PUT", handler: uploadFile });
            export default http;
        """,
        "convex/api.ts": """
            import { httpAction } from "./_generated/server";
            const CORS = { "Access-Control-Allow-Origin": "*" };
            export const preflight = httpAction(async () => new Response(null, { status: 204, headers: CORS }));
            export const createMessage = httpAction(async () => new Response(null, { status: 201, headers: CORS }));
            export const uploadFile = httpAction(async () => new Response(null, { status: 201, headers: CORS }));
        """,
    }),
    clean("corsRouter, a public GET, and a Clerk webhook that verifies its signature", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { corsRouter } from "convex-helpers/server/cors";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { Webhook } from "svix";

            const http = httpRouter();
            const cors = corsRouter(http);

            cors.route({
              path: "/messages",
              method: "POST",
              handler: httpAction(async () => new Response(null, { status: 201 })),
            });

            http.route({
              path: "/getImage",
              method: "GET",
              handler: httpAction(async (ctx, request) => {
                const storageId = new URL(request.url).searchParams.get("storageId")!;
                const blob = await ctx.storage.get(storageId);
                return new Response(blob);
              }),
            });

            http.route({
              path: "/clerk-users-webhook",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const payload = await request.text();
                const wh = new Webhook(process.env.CLERK_WEBHOOK_SECRET!);
                const event = wh.verify(payload, {
                  "svix-id": request.headers.get("svix-id")!,
                  "svix-timestamp": request.headers.get("svix-timestamp")!,
                  "svix-signature": request.headers.get("svix-signature")!,
                }) as any;
                await ctx.runMutation(internal.users.upsertFromClerk, { data: event.data });
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
            const cors = corsRouter(http);
            cors.route({ path: "/messages", method: "POST", handler: httpAction(async () => new Response("ok")) });
            http.route({
              pathPrefix: "/llm-proxy/",
              method: "POST",
              handler: httpAction(async (_ctx, request) => new Response((await fetch("https://x.io", request)).body)),
            });
            export default http;
        """,
    }),
    clean("a POST route on the Hono router, whose fallback Hono app may answer OPTIONS", {
        "convex/http.ts": """
            import { Hono } from "hono";
            import { cors } from "hono/cors";
            import { HttpRouterWithHono } from "convex-helpers/server/hono";
            import { httpAction } from "./_generated/server";

            const app = new Hono();
            app.use("/*", cors());
            const http = new HttpRouterWithHono(app);
            http.route({
              path: "/echo",
              method: "POST",
              handler: httpAction(async (_ctx, request) =>
                new Response(await request.text(), { headers: { "Access-Control-Allow-Origin": "*" } })),
            });
            export default http;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_routes_without_preflight(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_options_routes_cors_routers_and_webhooks(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
