"""http/handler-not-httpaction: route handlers that are not HTTP actions."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "http/handler-not-httpaction"

FLAGGED = [
    flagged("an inline async function, a local function and a local bare arrow", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";

            const http = httpRouter();

            async function ping(ctx, request) {
              return new Response("pong");
            }
            const echo = async (ctx, request) => new Response(await request.text());

            http.route({
              path: "/inline",
              method: "GET",
              handler: async (ctx, request) => new Response("ok"),
            });
            http.route({ path: "/ping", method: "GET", handler: ping });
            http.route({ path: "/echo", method: "POST", handler: echo });
            export default http;
        """,
    }, ("convex/http.ts", "http.route({", 1), ("convex/http.ts", 'path: "/ping"'),
        ("convex/http.ts", 'path: "/echo"')),
    flagged("a query inline and a mutation imported from another module", {
        "convex/messages.ts": """
            import { mutation } from "./_generated/server";

            export const send = mutation({ args: {}, handler: async (ctx) => null });
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { query } from "./_generated/server";
            import { send } from "./messages";

            const http = httpRouter();
            http.route({ path: "/list", method: "GET", handler: query({ args: {}, handler: async () => [] }) });
            http.route({ path: "/send", method: "POST", handler: send });
            export default http;
        """,
    }, ("convex/http.ts", 'path: "/list"'), ("convex/http.ts", 'path: "/send"')),
    flagged("a plain async function exported by another module", {
        "convex/handlers.ts": """
            export async function ping(ctx, request) {
              return new Response("pong");
            }
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { ping } from "./handlers";

            const http = httpRouter();
            http.route({ path: "/ping", method: "GET", handler: ping });
            export default http;
        """,
    }, ("convex/http.ts", 'path: "/ping"')),
]

CLEAN = [
    clean("an imported handler built by a project wrapper the auditor does not type", {
        "convex/lib/cors.ts": """
            import { httpAction } from "../_generated/server";

            export const withCors = (fn) => httpAction(async (ctx, request) => {
              const response = await fn(ctx, request);
              response.headers.set("Access-Control-Allow-Origin", "*");
              return response;
            });
        """,
        "convex/handlers.ts": """
            import { withCors } from "./lib/cors";

            export const ping = withCors(async (ctx, request) => new Response("pong"));
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { ping } from "./handlers";

            const http = httpRouter();
            http.route({ path: "/ping", method: "GET", handler: ping });
            export default http;
        """,
    }),
    clean("httpAction inline, in a constant, imported, through a wrapper, and an unresolved import", {
        "convex/handlers.ts": """
            import { httpAction } from "./_generated/server";

            export const stripeWebhook = httpAction(async (ctx, request) => new Response(null, { status: 200 }));
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { stripeWebhook } from "./handlers";
            import { clerkWebhook } from "@acme/webhooks";
            import { withCors } from "./lib/cors";

            const http = httpRouter();
            const health = httpAction(async () => new Response("ok"));

            http.route({ path: "/inline", method: "GET", handler: httpAction(async () => new Response("ok")) });
            http.route({ path: "/health", method: "GET", handler: health });
            http.route({ path: "/stripe", method: "POST", handler: stripeWebhook });
            http.route({ path: "/clerk", method: "POST", handler: clerkWebhook });
            http.route({ path: "/wrapped", method: "GET", handler: withCors(async () => new Response("ok")) });
            export default http;
        """,
    }),
    clean("httpActionGeneric from the package", {
        "convex/http.ts": """
            import { httpRouter, httpActionGeneric } from "convex/server";

            const http = httpRouter();
            http.route({ path: "/ok", method: "GET", handler: httpActionGeneric(async () => new Response("ok")) });
            export default http;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_handlers_that_are_not_http_actions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_http_actions_and_unknown_handlers(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
