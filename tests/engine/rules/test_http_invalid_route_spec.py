"""http/invalid-route-spec: route specs the router throws on."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "http/invalid-route-spec"

FLAGGED = [
    flagged("relative path, prefix without a slash, both keys, no method, lower-case and unknown methods", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { handler } from "./handlers";

            const http = httpRouter();
            http.route({ path: "api/upload", method: "POST", handler });
            http.route({ pathPrefix: "/files", method: "GET", handler });
            http.route({ path: "/a", pathPrefix: "/a/", method: "GET", handler });
            http.route({ path: "/no-method", handler });
            http.route({ path: "/lower", method: "post", handler });
            http.route({ path: "/head", method: "HEAD", handler });
            http.route({ method: "GET", handler });
            http.route({ path: "/.files/x", method: "GET", handler });
            export default http;
        """,
    }, ("convex/http.ts", '"api/upload"'), ("convex/http.ts", '"/files"'), ("convex/http.ts", 'path: "/a"'),
       ("convex/http.ts", "/no-method"), ("convex/http.ts", '"post"'), ("convex/http.ts", '"HEAD"'),
       ("convex/http.ts", 'route({ method: "GET"'), ("convex/http.ts", "/.files/x")),
]

CLEAN = [
    clean("valid specs, computed values, and a spread spec", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { handler } from "./handlers";

            const http = httpRouter();
            const base = { method: "GET" as const, handler };
            const method = process.env.METHOD ?? "GET";
            http.route({ path: "/api/upload", method: "POST", handler });
            http.route({ pathPrefix: "/files/", method: "GET", handler });
            http.route({ path: "/dynamic", method, handler });
            http.route({ ...base, path: "/spread" });
            http.route({ path: `/v${1 + 1}/x`, method: "PUT", handler });
            export default http;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_route_specs_the_router_rejects(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_valid_and_computed_specs(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
