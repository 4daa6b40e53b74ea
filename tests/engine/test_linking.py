"""Project linking: helpers across files, imported handlers, custom builders, shared header constants."""

from __future__ import annotations

from pathlib import Path

from auditor.engine.derive import function_checks_auth, route_cors
from tests.engine.helpers import project_facts

AUTH_HELPER = """
    import type { QueryCtx } from "../_generated/server";

    export async function requireUser(ctx: QueryCtx) {
      const identity = await ctx.auth.getUserIdentity();
      if (!identity) throw new Error("Unauthenticated");
      return identity;
    }

    export function looksLikeAuth(ctx: QueryCtx) {
      return ctx !== undefined;
    }
"""


def test_it_passes_an_imported_helpers_auth_check_to_the_caller(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/lib/auth.ts": AUTH_HELPER,
        "convex/messages.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            import { requireUser, looksLikeAuth } from "./lib/auth";

            export const send = mutation({
              args: { body: v.string() },
              handler: async (ctx, args) => {
                await requireUser(ctx);
                await ctx.db.insert("messages", { body: args.body });
              },
            });

            export const spoof = mutation({
              args: {},
              handler: async (ctx) => {
                looksLikeAuth(ctx);
              },
            });
        """,
    })
    assert function_checks_auth(project, project.functions["messages:send"])
    # A helper's name proves nothing: only what it really calls counts.
    assert not function_checks_auth(project, project.functions["messages:spoof"])


def test_it_follows_helpers_through_reexports_and_namespace_imports(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/lib/auth.ts": AUTH_HELPER,
        "convex/lib/index.ts": 'export { requireUser } from "./auth";\n',
        "convex/posts.ts": """
            import { mutation } from "./_generated/server";
            import * as Auth from "./lib/auth";
            import { requireUser } from "./lib";

            export const a = mutation({ args: {}, handler: async (ctx) => { await Auth.requireUser(ctx); } });
            export const b = mutation({ args: {}, handler: async (ctx) => { await requireUser(ctx); } });
        """,
    })
    assert function_checks_auth(project, project.functions["posts:a"])
    assert function_checks_auth(project, project.functions["posts:b"])


def test_it_resolves_custom_builders_to_their_base_kind_and_context(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/lib/functions.ts": """
            import { customMutation, customCtx } from "convex-helpers/server/customFunctions";
            import { mutation as rawMutation, query } from "../_generated/server";

            export const authedMutation = customMutation(rawMutation, customCtx(async (ctx) => {
              const identity = await ctx.auth.getUserIdentity();
              if (identity === null) throw new Error("Unauthenticated");
              return { identity };
            }));
            export const publicQuery = query;
        """,
        "convex/todos.ts": """
            import { v } from "convex/values";
            import { authedMutation } from "./lib/functions";

            export const add = authedMutation({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                await ctx.db.insert("todos", { text, owner: ctx.identity.subject });
              },
            });
        """,
    })
    add = project.functions["todos:add"]
    assert (add.kind, add.visibility, add.builder) == ("mutation", "public", "authedMutation")
    assert function_checks_auth(project, add)


def test_it_links_a_route_to_an_imported_http_action(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/lib/cors.ts": """
            export const CORS_HEADERS = { "Access-Control-Allow-Origin": "*", Vary: "Origin" };
            export function corsHeaders(extra: Record<string, string> = {}) {
              return { ...CORS_HEADERS, ...extra };
            }
        """,
        "convex/webhooks.ts": """
            import { httpAction } from "./_generated/server";
            import { CORS_HEADERS, corsHeaders } from "./lib/cors";

            export const stripe = httpAction(async (ctx, request) => {
              const signature = request.headers.get("stripe-signature");
              if (!signature) {
                return new Response("missing signature", { status: 400, headers: corsHeaders() });
              }
              return new Response(null, { status: 200, headers: { ...CORS_HEADERS, "Content-Type": "text/plain" } });
            });
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { stripe } from "./webhooks";

            const http = httpRouter();
            http.route({ path: "/stripe", method: "POST", handler: stripe });
            export default http;
        """,
    })
    route = project.routes[0]
    assert route.handler_function == "webhooks:stripe"
    assert route_cors(project, route) is True
    body = project.functions["webhooks:stripe"].body
    assert body is not None and body.verifies_signature


def test_it_leaves_headers_from_a_parameter_unknown_rather_than_missing(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            function reply(body: unknown, headers: HeadersInit) {
              return new Response(JSON.stringify(body), { status: 200, headers });
            }
            const http = httpRouter();
            http.route({
              path: "/echo",
              method: "GET",
              handler: httpAction(async () => reply({ ok: true }, { "Access-Control-Allow-Origin": "*" })),
            });
            export default http;
        """,
    })
    responses = [r for body in project.bodies.values() for r in body.responses]
    assert [r.headers_known for r in responses] == [False]
    assert route_cors(project, project.routes[0]) is None


def test_it_records_run_targets_as_api_or_internal_references(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/jobs.ts": """
            import { internalAction, mutation } from "./_generated/server";
            import { api, internal } from "./_generated/api";

            export const kick = mutation({
              args: {},
              handler: async (ctx) => {
                await ctx.scheduler.runAfter(0, internal.jobs.work, {});
                await ctx.scheduler.runAt(Date.now() + 1000, api.nested.deep.fn, {});
              },
            });
            export const work = internalAction({ args: {}, handler: async () => {} });
        """,
    })
    body = project.functions["jobs:kick"].body
    assert body is not None
    assert [(c.method, str(c.target)) for c in body.run_calls] == [
        ("runAfter", "internal.jobs.work"),
        ("runAt", "api.nested.deep.fn"),
    ]
    assert body.run_calls[1].target is not None and body.run_calls[1].target.module == "nested/deep"


def test_it_registers_a_function_under_each_name_it_is_exported_as(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/seed.ts": """
            import { mutation } from "./_generated/server";

            export const reset = mutation({
              args: {},
              handler: async (ctx) => {
                await ctx.db.insert("notes", { text: "hello" });
              },
            });

            export default reset;
        """,
    })
    assert {"seed:reset", "seed:default"} <= set(project.functions)
    named, default = project.functions["seed:reset"], project.functions["seed:default"]
    assert named.kind == default.kind == "mutation"
    assert named.body is not None and default.body is not None
    assert named.body.db_calls and default.body.db_calls
