"""http/error-status: error responses sent without an error status."""

from __future__ import annotations

import pytest

from tests.engine.fixtures import OAUTH_CALLBACK
from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "http/error-status"

FLAGGED = [
    flagged("an error body with no status, and a catch block that answers 200", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const CORS_HEADERS = { "Access-Control-Allow-Origin": "*" };
            const http = httpRouter();

            http.route({
              path: "/orders",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                try {
                  const body = await request.json();
                  if (!body.sku) {
                    return new Response(JSON.stringify({ error: "Missing sku" }), { headers: CORS_HEADERS });
                  }
                  await ctx.runMutation(internal.orders.create, body);
                  return new Response(JSON.stringify({ ok: true }), { status: 201, headers: CORS_HEADERS });
                } catch (error) {
                  return new Response(JSON.stringify({ message: "failed" }), { status: 200, headers: CORS_HEADERS });
                }
              }),
            });
            export default http;
        """,
    }, ("convex/http.ts", "Missing sku"), ("convex/http.ts", "status: 200")),
    flagged("Response.json with an error key in a helper", {
        "convex/lib/http.ts": """
            export function fail(message: string) {
              return Response.json({ error: message });
            }
        """,
    }, ("convex/lib/http.ts", "Response.json")),
]

CLEAN = [
    clean("the seed's endpoint: 400 for bad input, 500 in the catch block", {
        "convex/http.ts": """
            import { httpRouter, httpAction } from "convex/server";
            import { api } from "./_generated/api";

            const CORS_HEADERS = { "Access-Control-Allow-Origin": "*" };
            const http = httpRouter();
            http.route({
              path: "/your-endpoint",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                try {
                  const body = await request.json();
                  if (!body.requiredField) {
                    return new Response(JSON.stringify({ error: "Missing requiredField" }), { status: 400,
                      headers: CORS_HEADERS });
                  }
                  const result = await ctx.runMutation(api.mutations.yourMutation, body);
                  return new Response(JSON.stringify({ success: true, data: result }), { status: 200,
                    headers: CORS_HEADERS });
                } catch (error) {
                  return new Response(JSON.stringify({ error: error.message }), { status: 500, headers: CORS_HEADERS });
                }
              }),
            });
            export default http;
        """,
    }),
    clean("a success envelope with error: null, and a status from a variable", {
        "convex/http.ts": """
            import { httpAction } from "./_generated/server";

            export const lookup = httpAction(async (ctx, request) => {
              const status = request.method === "POST" ? 405 : 404;
              try {
                return Response.json({ data: [], error: null });
              } catch (e) {
                return Response.json({ error: String(e) }, { status });
              }
            });
        """,
    }),
    clean("HTML pages of an OAuth callback, which the browser navigates to", OAUTH_CALLBACK),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_error_responses_with_success_status(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_error_statuses_and_unknown_ones(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
