"""http/duplicate-route: the same method and path registered twice."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "http/duplicate-route"

FLAGGED = [
    flagged("a copied path and a copied prefix", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { stripeWebhook, clerkWebhook, serveFile } from "./webhooks";

            const http = httpRouter();
            http.route({ path: "/webhooks/stripe", method: "POST", handler: stripeWebhook });
            http.route({ pathPrefix: "/files/", method: "GET", handler: serveFile });
            http.route({ path: "/webhooks/stripe", method: "POST", handler: clerkWebhook });
            http.route({ pathPrefix: "/files/", method: "GET", handler: serveFile });
            export default http;
        """,
    }, ("convex/http.ts", "clerkWebhook });"), ("convex/http.ts", 'pathPrefix: "/files/"', 2)),
]

CLEAN = [
    clean("other methods, a path equal to a prefix, two routers, runtime and conditional routes", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { handler, options } from "./handlers";

            const http = httpRouter();
            const admin = httpRouter();
            http.route({ path: "/api/items", method: "GET", handler });
            http.route({ path: "/api/items", method: "POST", handler });
            http.route({ path: "/api/items", method: "OPTIONS", handler: options });
            http.route({ pathPrefix: "/api/items/", method: "GET", handler });
            admin.route({ path: "/api/items", method: "GET", handler });
            for (const path of ["/a", "/b"]) {
              http.route({ path, method: "GET", handler });
            }
            if (process.env.DEBUG) {
              http.route({ path: "/debug", method: "GET", handler });
            } else {
              http.route({ path: "/debug", method: "GET", handler: options });
            }
            export default http;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_a_route_registered_twice(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_distinct_routes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
