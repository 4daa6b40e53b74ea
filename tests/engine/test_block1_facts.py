"""Facts the block-1 rules read: URL kinds, credential headers, error bodies, headers, aliases, derived helpers."""

from __future__ import annotations

from auditor.engine.derive import (
    handler_verifies_signature,
    has_unresolved_helpers,
    owner_at,
    project_uses_auth,
    route_has_preflight,
    schema_for,
)
from tests.engine.helpers import project_facts


def test_it_reads_the_builtin_deployment_url_variables(tmp_path):
    project = project_facts(tmp_path, {
        "convex/files.ts": """
            export const cloud = `${process.env.CONVEX_CLOUD_URL}/api/storage/${"x"}`;
            export const site = `${process.env.CONVEX_SITE_URL}/hook`;
        """,
    })
    strings = {s.value: s.parts for s in project.modules["convex/files.ts"].strings if s.is_template}
    assert ("expr", "convex_cloud_url") in strings["${}/api/storage/${}"]
    assert strings["${}/hook"][1] == ("expr", "convex_site_url")


def test_it_counts_secret_and_token_headers_as_credentials(tmp_path):
    project = project_facts(tmp_path, {
        "convex/http.ts": """
            import { httpAction } from "./_generated/server";

            export const hook = httpAction(async (ctx, request) => {
              const secret = request.headers.get("x-webhook-secret");
              const sig = request.headers.get("stripe-signature");
              return new Response(null, { status: secret && sig ? 200 : 401 });
            });
        """,
    })
    body = project.functions["http:hook"].body
    assert [loc.line for loc in body.reads_authorization] == [4]
    assert [loc.line for loc in body.verifies_signature] == [5]


def test_it_does_not_take_a_null_error_for_an_error_body(tmp_path):
    project = project_facts(tmp_path, {
        "convex/http.ts": """
            import { httpAction } from "./_generated/server";

            export const hook = httpAction(async () => {
              if (Math.random() > 0.5) return Response.json({ data: 1, error: null });
              return new Response(JSON.stringify({ error: "nope" }), { status: 400 });
            });
        """,
    })
    body = project.functions["http:hook"].body
    assert [r.body_has_error_key for r in body.responses] == [False, True]


def test_it_reads_the_headers_a_variable_gets_through_set_and_append(tmp_path):
    project = project_facts(tmp_path, {
        "convex/http.ts": """
            import { httpAction } from "./_generated/server";
            import { addCors } from "./cors";

            export const hook = httpAction(async () => {
              const headers = new Headers({ "Content-Type": "text/plain" });
              headers.set("Access-Control-Allow-Origin", "*");
              headers.append("Access-Control-Allow-Credentials", "true");
              return new Response("ok", { headers });
            });

            export const later = httpAction(async () => {
              const response = new Response("ok");
              response.headers.set("Access-Control-Allow-Origin", "*");
              return response;
            });

            export const handedOn = httpAction(async (_ctx, request) => {
              const headers = new Headers();
              addCors(headers, request);
              return new Response("ok", { headers });
            });

            export const inline = httpAction(async () => {
              return new Response("ok", { headers: new Headers({ "Content-Type": "text/plain" }) });
            });
        """,
    })
    [set_response] = project.functions["http:hook"].body.responses
    [later_response] = project.functions["http:later"].body.responses
    [handed_response] = project.functions["http:handedOn"].body.responses
    [inline_response] = project.functions["http:inline"].body.responses
    assert set_response.headers_known and set_response.has_cors
    assert dict(set_response.header_values)["access-control-allow-credentials"] == "true"
    assert later_response.headers_known and later_response.has_cors
    assert not handed_response.headers_known
    assert inline_response.headers_known and not inline_response.has_cors


def test_it_records_path_alias_imports_as_unresolved_helpers(tmp_path):
    project = project_facts(tmp_path, {
        "convex/posts.ts": """
            import { mutation } from "./_generated/server";
            import { requireUser } from "@/convex/lib/auth";

            export const create = mutation({
              args: {},
              handler: async (ctx) => {
                await requireUser(ctx);
              },
            });
        """,
    })
    body = project.functions["posts:create"].body
    assert [(c.name, c.target) for c in body.helper_calls] == [("requireUser", None)]
    assert has_unresolved_helpers(project, [body])


def test_it_finds_a_preflight_registered_for_a_path_prefix(tmp_path):
    project = project_facts(tmp_path, {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            const ok = httpAction(async () => new Response(null, { status: 204 }));
            http.route({ pathPrefix: "/api/", method: "OPTIONS", handler: ok });
            http.route({ path: "/api/messages", method: "POST", handler: ok });
            http.route({ pathPrefix: "/api/files/", method: "GET", handler: ok });
            http.route({ path: "/other", method: "POST", handler: ok });
            export default http;
        """,
    })
    covered = {r.route_key: route_has_preflight(project, r) for r in project.routes if r.method != "OPTIONS"}
    assert covered == {"/api/messages": True, "/api/files/*": True, "/other": False}


def test_it_picks_the_nearest_schema_for_a_component(tmp_path):
    project = project_facts(tmp_path, {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            export default defineSchema({ posts: defineTable({ title: v.string() }) });
        """,
        "convex/components/counter/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            export default defineSchema({ counters: defineTable({ n: v.number() }) });
        """,
    })
    assert set(schema_for(project, "convex/posts.ts").tables) == {"posts"}
    assert set(schema_for(project, "convex/components/counter/lib.ts").tables) == {"counters"}
    assert schema_for(project, "src/app.ts") is None


def test_it_names_the_function_around_a_location(tmp_path):
    project = project_facts(tmp_path, {
        "convex/keys.ts": """
            import { action } from "./_generated/server";

            function helper() {
              return "in helper";
            }

            export const run = action({
              args: {},
              handler: async () => {
                return "in handler" + helper();
              },
            });
        """,
    })
    strings = {s.value: s.loc for s in project.modules["convex/keys.ts"].strings}
    assert owner_at(project, strings["in handler"]) == "keys:run"
    assert owner_at(project, strings["in helper"]) == "convex/keys.ts#helper"
    assert owner_at(project, strings["./_generated/server"]) is None


def test_it_tells_whether_the_project_authenticates_anyone(tmp_path):
    anonymous = project_facts(tmp_path / "a", {
        "convex/posts.ts": """
            import { mutation } from "./_generated/server";
            export const create = mutation({ args: {}, handler: async (ctx) => {} });
        """,
    })
    configured = project_facts(tmp_path / "b", {
        "convex/auth.config.ts": """
            export default { providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: "convex" }] };
        """,
    })
    assert not project_uses_auth(anonymous)
    assert project_uses_auth(configured)


def test_it_reads_the_deployment_url_from_import_meta_env(tmp_path):
    project = project_facts(tmp_path, {
        "convex/schema.ts": "export {};\n",
        "src/upload.ts": """
            const CONVEX_URL = import.meta.env.VITE_CONVEX_URL;
            export const url = `${CONVEX_URL}/upload`;
        """,
    })
    [template] = [s for s in project.frontend["src/upload.ts"].strings if s.is_template]
    assert template.parts[1] == ("expr", "convex_cloud_url")


def test_it_resolves_each_name_in_its_own_scope_and_not_a_reassigned_let(tmp_path):
    project = project_facts(tmp_path, {
        "convex/http.ts": """
            import { httpAction } from "./_generated/server";

            export const a = httpAction(async () => {
              const headers = { "Access-Control-Allow-Origin": "*" };
              return new Response("a", { headers });
            });

            export const b = httpAction(async () => {
              const headers = { "Content-Type": "text/plain" };
              let status = 200;
              try {
                return new Response("b", { headers, status });
              } catch {
                status = 500;
                return new Response("b", { status });
              }
            });
        """,
    })
    [first] = project.functions["http:a"].body.responses
    second, third = project.functions["http:b"].body.responses
    # One `headers` per handler: each response reads its own, not the other handler's.
    assert first.headers_known and first.has_cors
    assert second.headers_known and not second.has_cors
    assert not second.status_known and not third.status_known


def test_it_counts_better_auth_identity_calls_and_sees_project_object_methods_as_opaque(tmp_path):
    project = project_facts(tmp_path, {
        "convex/auth.ts": """
            import { createClient } from "@convex-dev/better-auth";
            import { components } from "./_generated/api";
            export const authComponent = createClient(components.betterAuth);
            export const guards = { requireUser: async (ctx: any) => ctx };
        """,
        "convex/posts.ts": """
            import { mutation } from "./_generated/server";
            import { authComponent, guards } from "./auth";

            export const create = mutation({
              args: {},
              handler: async (ctx) => {
                const user = await authComponent.getAuthUser(ctx);
                await guards.requireUser(ctx);
                return user;
              },
            });
        """,
    })
    body = project.functions["posts:create"].body
    assert [loc.line for loc in body.auth_checks] == [7]
    assert [(c.name, c.target) for c in body.helper_calls] == [("guards.requireUser", None)]


def test_it_reads_a_module_private_http_action_given_to_a_route(tmp_path):
    project = project_facts(tmp_path, {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const handleUpload = httpAction(async (ctx, request) => {
              return new Response(null, { status: 204 });
            });

            const http = httpRouter();
            http.route({ path: "/upload", method: "POST", handler: handleUpload });
            http.route({ path: "/upload2", method: "POST", handler: handleUpload });
            export default http;
        """,
    })
    assert [r.handler_body for r in project.routes] == ["convex/http.ts#handleUpload"] * 2
    assert [r.loc.line for r in project.bodies["convex/http.ts#handleUpload"].responses] == [5]


def test_it_opens_a_schema_that_allows_tables_it_does_not_list(tmp_path):
    project = project_facts(tmp_path, {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            export default defineSchema(
              { notes: defineTable({ text: v.string() }) },
              { schemaValidation: false, strictTableNameTypes: false },
            );
        """,
    })
    assert project.schema is not None and project.schema.open
    assert set(project.schema.tables) == {"notes"}


def test_it_marks_tables_built_outside_the_schema_file_as_opaque(tmp_path):
    project = project_facts(tmp_path, {
        "convex/tables/users.ts": """
            import { defineTable } from "convex/server";
            import { v } from "convex/values";
            export const users = defineTable({ email: v.string() }).index("by_email", ["email"]);
        """,
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            import { Table } from "convex-helpers/server";
            import { users } from "./tables/users";
            import { teamsTable } from "./tables/teams";

            const Tasks = Table("tasks", { title: v.string() });
            export default defineSchema({
              users,
              teams: teamsTable.index("by_slug", ["slug"]),
              tasks: Tasks.table,
              notes: defineTable({ text: v.string() }).index("by_text", ["text"]),
            });
        """,
    })
    tables = project.schema.tables
    assert {name: t.opaque for name, t in tables.items()} == {
        "users": True, "teams": True, "tasks": True, "notes": False}
    assert [i.name for i in tables["notes"].indexes] == ["by_text"]


def test_it_finds_signature_checks_through_header_aliases_and_in_the_action_run(tmp_path):
    project = project_facts(tmp_path, {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const http = httpRouter();
            http.route({
              path: "/payments",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                await ctx.runAction(internal.payments.handle, { raw: await request.text() });
                return new Response(null, { status: 200 });
              }),
            });
            http.route({
              path: "/identity",
              method: "POST",
              handler: httpAction(async (ctx, req) => {
                const h = req.headers;
                const author = new Map<string, string>().get("author");
                return new Response(h.get("svix-signature") ?? author, { status: 200 });
              }),
            });
            export default http;
        """,
        "convex/payments.ts": """
            import { internalAction } from "./_generated/server";
            import { v } from "convex/values";
            import { Webhook } from "svix";
            export const handle = internalAction({
              args: { raw: v.string() },
              handler: async (ctx, { raw }) => new Webhook("x").verify(raw, {}),
            });
        """,
    })
    payments, identity = (project.bodies[r.handler_body] for r in project.routes)
    assert not payments.verifies_signature and handler_verifies_signature(project, payments)
    assert [loc.line for loc in identity.verifies_signature] == [20] and not identity.reads_authorization


def test_it_counts_get_user_identity_on_any_ctx_name_or_destructured_auth(tmp_path):
    project = project_facts(tmp_path, {
        "convex/lib/auth.ts": """
            export async function requireUser(q: any) {
              const identity = await q.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthorized");
              return identity;
            }
        """,
        "convex/posts.ts": """
            import { mutation } from "./_generated/server";
            export const create = mutation({
              args: {},
              handler: async (ctx) => {
                const { auth } = ctx;
                return await auth.getUserIdentity();
              },
            });
        """,
    })
    assert [loc.line for loc in project.bodies["convex/lib/auth.ts#requireUser"].auth_checks] == [2]
    assert [loc.line for loc in project.functions["posts:create"].body.auth_checks] == [6]


def test_it_records_schema_validation_off_only_when_the_schema_says_so(tmp_path):
    project = project_facts(tmp_path, {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            export default defineSchema(
              { notes: defineTable({ text: v.string() }) },
              { strictTableNameTypes: false },
            );
        """,
    })
    assert project.schema is not None and project.schema.open
    assert project.schema.validation is True
    project = project_facts(tmp_path / "off", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            export default defineSchema({ notes: defineTable({ text: v.string() }) }, { schemaValidation: false });
        """,
    })
    assert project.schema is not None and project.schema.validation is False


def test_it_names_the_spreads_of_tables_it_could_not_follow(tmp_path):
    project = project_facts(tmp_path, {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            import { gameTables } from "./game/schema";
            export default defineSchema({
              ...gameTables,
              notes: defineTable({ text: v.string() }),
            });
        """,
    })
    assert project.schema is not None
    assert project.schema.unread_spreads == ("gameTables",)
    assert project.schema.validation is True
