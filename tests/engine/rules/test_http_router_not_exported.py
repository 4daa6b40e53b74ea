"""http/router-not-exported: routers Convex never serves."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "http/router-not-exported"

FLAGGED = [
    flagged("http.ts without export default", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { stripeWebhook } from "./stripe";

            const http = httpRouter();
            http.route({ path: "/stripe", method: "POST", handler: stripeWebhook });
        """,
    }, ("convex/http.ts", "const http = httpRouter()")),
    flagged("routes on a router in a file nobody imports", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            const http = httpRouter();
            export default http;
        """,
        "convex/routes.ts": """
            import { httpRouter } from "convex/server";
            import { hook } from "./hooks";
            const router = httpRouter();
            router.route({ path: "/hook", method: "POST", handler: hook });
            export default router;
        """,
    }, ("convex/routes.ts", "const router = httpRouter()")),
]

CLEAN = [
    clean("a router built in another file and exported from http.ts", {
        "convex/http.ts": """
            import router from "./router";
            export default router;
        """,
        "convex/router.ts": """
            import { httpRouter } from "convex/server";
            import { auth } from "./auth";
            import { hook } from "./hooks";
            const http = httpRouter();
            auth.addHttpRoutes(http);
            http.route({ path: "/hook", method: "POST", handler: hook });
            export default http;
        """,
    }),
    clean("export { http as default }, and a router in a test file", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { hook } from "./hooks";
            const http = httpRouter();
            http.route({ path: "/hook", method: "POST", handler: hook });
            export { http as default };
        """,
        "convex/http.test.ts": """
            import { httpRouter } from "convex/server";
            const router = httpRouter();
            router.route({ path: "/t", method: "GET", handler: (() => null) as any });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_routers_convex_never_serves(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_routers_reaching_the_default_export(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
