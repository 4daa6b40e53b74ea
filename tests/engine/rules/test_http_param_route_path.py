"""http/param-route-path: Express-style parameters and wildcards in Convex route paths."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "http/param-route-path"

ROUTER = """
    import { httpRouter } from "convex/server";
    import { httpAction } from "./_generated/server";

    const http = httpRouter();
    const handler = httpAction(async () => new Response("ok"));
    {routes}
    export default http;
"""

FLAGGED = [
    flagged("a :param path, a :param prefix and a * segment", {
        "convex/http.ts": ROUTER.replace("{routes}", """
    http.route({ path: "/users/:userId", method: "GET", handler });
    http.route({ pathPrefix: "/teams/:teamId/", method: "GET", handler });
    http.route({ path: "/files/*", method: "GET", handler });
        """),
    }, ("convex/http.ts", "/users/:userId"), ("convex/http.ts", "/teams/:teamId/"), ("convex/http.ts", "/files/*")),
]

CLEAN = [
    clean("exact paths and prefixes, colons inside a segment", {
        "convex/http.ts": ROUTER.replace("{routes}", """
    http.route({ path: "/users", method: "GET", handler });
    http.route({ pathPrefix: "/files/", method: "GET", handler });
    http.route({ path: "/v1/models:generate", method: "POST", handler });
    http.route({ path: "/time/12:30", method: "GET", handler });
        """),
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_routes_that_never_match(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_literal_paths_and_prefixes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
