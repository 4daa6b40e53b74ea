"""cors/wildcard-with-credentials: Access-Control-Allow-Origin * together with credentials."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "cors/wildcard-with-credentials"

FLAGGED = [
    flagged("a local constant, and an imported object spread into the headers", {
        "convex/cors.ts": """
            export const CORS = {
              "Access-Control-Allow-Origin": "*",
              "Access-Control-Allow-Credentials": "true",
            };
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { CORS } from "./cors";

            const local = { "access-control-allow-origin": "*", "Access-Control-Allow-Credentials": true };
            const http = httpRouter();
            http.route({
              path: "/a",
              method: "GET",
              handler: httpAction(async () => new Response("a", { headers: local })),
            });
            http.route({
              path: "/b",
              method: "POST",
              handler: httpAction(async () => {
                if (Math.random() > 2) return Response.json({ ok: false }, { status: 400, headers: { ...CORS } });
                return Response.json({ ok: true }, { headers: { ...CORS, "Content-Type": "application/json" } });
              }),
            });
            export default http;
        """,
    }, ("convex/http.ts", 'new Response("a"'), ("convex/http.ts", "status: 400")),
    flagged("headers set at runtime, and a corsRouter answering any origin with credentials", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { corsRouter } from "convex-helpers/server/cors";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            const cors = corsRouter(http, { allowedOrigins: ["*"], allowCredentials: true });
            cors.route({ path: "/c", method: "GET", handler: httpAction(async () => new Response("c")) });
            http.route({
              path: "/a",
              method: "GET",
              handler: httpAction(async () => {
                const headers = new Headers({ "Content-Type": "text/plain" });
                headers.set("Access-Control-Allow-Origin", "*");
                headers.append("Access-Control-Allow-Credentials", "true");
                return new Response("a", { headers });
              }),
            });
            http.route({
              path: "/b",
              method: "GET",
              handler: httpAction(async () => {
                const response = Response.json({ ok: true });
                response.headers.set("Access-Control-Allow-Origin", "*");
                response.headers.set("Access-Control-Allow-Credentials", "true");
                return response;
              }),
            });
            export default http;
        """,
    }, ("convex/http.ts", "const cors = corsRouter("),
       ("convex/http.ts", 'return new Response("a"'), ("convex/http.ts", "Response.json({ ok: true })")),
]

CLEAN = [
    clean("* without credentials, a single origin with credentials, an override after the spread, runtime set", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const open = { "Access-Control-Allow-Origin": "*" };
            const WILD = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true" };
            const http = httpRouter();
            http.route({
              path: "/a",
              method: "GET",
              handler: httpAction(async (ctx, request) => {
                const origin = request.headers.get("Origin") ?? "";
                const headers = new Headers(WILD);
                headers.set("Access-Control-Allow-Origin", origin);
                if (origin === "x") return new Response("x", { headers });
                if (origin === "y") {
                  return new Response("y", { headers: { ...WILD, "Access-Control-Allow-Origin": origin } });
                }
                if (origin === "z") {
                  return new Response("z", { headers: {
                    "Access-Control-Allow-Origin": process.env.SITE_URL!,
                    "Access-Control-Allow-Credentials": "true",
                  } });
                }
                return new Response("ok", { headers: open });
              }),
            });
            export default http;
        """,
    }),
    clean("corsRouters that list their origins, allow any origin without credentials, or keep the default", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { corsRouter } from "convex-helpers/server/cors";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            const cors = corsRouter(http, { allowedOrigins: ["https://app.example.com"], allowCredentials: true });
            const open = corsRouter(http, { allowedOrigins: ["*"] });
            // The library's default origins, with credentials for an Authorization header.
            const api = httpRouter();
            const apiCors = corsRouter(api, { allowCredentials: true, allowedHeaders: ["Authorization"] });
            apiCors.route({ path: "/e", method: "POST", handler: httpAction(async () => new Response("e")) });
            cors.route({ path: "/c", method: "GET", handler: httpAction(async () => new Response("c")) });
            open.route({ path: "/d", method: "GET", handler: httpAction(async () => new Response("d")) });
            export default http;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_wildcard_origin_with_credentials(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_wildcard_alone_and_one_origin_with_credentials(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
