"""HTTP handlers passed by reference (`handler: imported`, `httpAction(importedFn)`) are followed across files."""

from __future__ import annotations

from pathlib import Path

from tests.engine.helpers import audit_project, findings_of, line_of

HANDLERS = """
    import { httpAction } from "../_generated/server";
    import { internal } from "../_generated/api";

    export const CORS = { "Access-Control-Allow-Origin": "https://app.example.com" };

    export async function ingest(ctx: any, request: Request) {
      await ctx.runMutation(internal.events.record, { body: await request.text() });
      return new Response("ok", { status: 200 });
    }

    export async function report(ctx: any, request: Request) {
      try {
        await ctx.runMutation(internal.events.record, {});
      } catch (error) {
        return new Response(JSON.stringify({ error: "failed" }), { headers: CORS });
      }
      return new Response("ok", { headers: CORS });
    }

    export async function checked(ctx: any, request: Request) {
      if (request.headers.get("Authorization") !== `Bearer ${process.env.INGEST_TOKEN}`) {
        return new Response("no", { status: 401, headers: CORS });
      }
      await ctx.runMutation(internal.events.record, {});
      return new Response("ok", { headers: CORS });
    }
"""

ROUTER = """
    import { httpRouter } from "convex/server";
    import { httpAction } from "./_generated/server";
    import { ingest, report, checked, CORS } from "./lib/handlers";

    async function local(ctx: any, request: Request) {
      return new Response("local", { status: 200 });
    }

    const http = httpRouter();
    for (const path of ["/ingest", "/report", "/checked", "/local"]) {
      http.route({ path, method: "OPTIONS", handler: httpAction(async () => new Response(null, { headers: CORS })) });
    }
    http.route({ path: "/ingest", method: "POST", handler: httpAction(ingest) });
    http.route({ path: "/report", method: "POST", handler: httpAction(report) });
    http.route({ path: "/checked", method: "POST", handler: httpAction(checked) });
    http.route({ path: "/local", method: "GET", handler: httpAction(local) });
    export default http;
"""

AUTH_CONFIG = 'export default { providers: [{ domain: "https://issuer.example.com", applicationID: "convex" }] };\n'

FILES = {
    "convex/auth.config.ts": AUTH_CONFIG,
    "convex/lib/handlers.ts": HANDLERS,
    "convex/http.ts": ROUTER,
}


def test_it_follows_wrapped_handler_references_for_cors_auth_and_error_status(tmp_path: Path) -> None:
    report = audit_project(tmp_path, FILES)
    handlers = "convex/lib/handlers.ts"
    assert findings_of(report, "cors/missing-headers") == [
        ("cors/missing-headers", "convex/http.ts", line_of(FILES, "convex/http.ts", 'new Response("local"')),
        ("cors/missing-headers", handlers, line_of(FILES, handlers, 'new Response("ok", { status: 200 })')),
    ]
    router_line = lambda needle: line_of(FILES, "convex/http.ts", needle)  # noqa: E731
    assert findings_of(report, "auth/http-without-auth") == [
        ("auth/http-without-auth", "convex/http.ts", router_line('path: "/ingest", method: "POST"')),
        ("auth/http-without-auth", "convex/http.ts", router_line('path: "/report", method: "POST"')),
    ]
    assert findings_of(report, "http/error-status") == [
        ("http/error-status", handlers, line_of(FILES, handlers, 'JSON.stringify({ error: "failed" })')),
    ]
    routes = {route.route_key: route for route in report.project.routes if route.method != "OPTIONS"}
    assert routes["/ingest"].handler_body == "convex/lib/handlers.ts#ingest"
    assert routes["/local"].handler_body == "convex/http.ts#local"
