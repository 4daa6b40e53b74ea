"""functions/old-syntax: bare-function registrations instead of the object form."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "functions/old-syntax"

FLAGGED = [
    flagged("a public mutation as a bare function (the seed's upload URL)", {
        "convex/storage.ts": """
            import { mutation } from "./_generated/server";

            export const generateUploadUrl = mutation(async (ctx) => {
              return await ctx.storage.generateUploadUrl();
            });
        """,
    }, ("convex/storage.ts", "export const generateUploadUrl")),
    flagged("internal functions and default exports too", {
        "convex/jobs.ts": """
            import { internalAction, internalQuery, query } from "./_generated/server";

            export const ping = internalAction(async () => {
              return "pong";
            });

            export const count = internalQuery(async (ctx) => (await ctx.db.query("jobs").take(10)).length);

            export default query(async () => 1);
        """,
    }, ("convex/jobs.ts", "export const ping"), ("convex/jobs.ts", "export const count"),
       ("convex/jobs.ts", "export default query")),
    flagged("a custom builder given a bare function", {
        "convex/lib/builders.ts": """
            import { customQuery, customCtx } from "convex-helpers/server/customFunctions";
            import { query } from "../_generated/server";

            export const authedQuery = customQuery(query, customCtx(async (ctx) => {
              const identity = await ctx.auth.getUserIdentity();
              return { identity };
            }));
        """,
        "convex/me.ts": """
            import { authedQuery } from "./lib/builders";

            export const me = authedQuery(async (ctx) => ctx.identity);
        """,
    }, ("convex/me.ts", "export const me")),
]

CLEAN = [
    clean("the object form", {
        "convex/messages.ts": """
            import { query, mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const list = query({
              args: {},
              handler: async (ctx) => await ctx.db.query("messages").take(20),
            });

            export const send = mutation({
              args: { body: v.string() },
              handler: async (ctx, { body }) => {
                await ctx.db.insert("messages", { body });
              },
            });
        """,
    }),
    clean("httpAction takes a bare function by design", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            export const hook = httpAction(async (ctx, request) => {
              return new Response(null, { status: 204 });
            });

            const http = httpRouter();
            http.route({ path: "/hook", method: "POST", handler: hook });
            export default http;
        """,
    }),
    clean("a non-Convex function call with a callback", {
        "convex/util.ts": """
            import { memoize } from "lodash";

            export const cached = memoize(async (key: string) => key.toUpperCase());
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_bare_function_registrations(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_the_object_form_and_http_actions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
