"""Constants the engine folds: URL constants in built URLs, routes registered in a loop, index names."""

from __future__ import annotations

from pathlib import Path

from tests.engine.helpers import audit_project, findings_of, line_of

CLIENT = {
    "src/lib/api.ts": """
        const DEPLOYMENT = "https://happy-otter-123.convex.cloud";
        const BASE = DEPLOYMENT;
        const SITE = "https://happy-otter-123.convex.site";

        export async function send(body: string) {
          await fetch(`${BASE}/webhooks/ingest`, { method: "POST", body });
          await fetch(DEPLOYMENT + "/track", { method: "POST", body });
          await fetch(`${SITE}/webhooks/ingest`, { method: "POST", body });
          await fetch(`${BASE}/api/query`, { method: "POST", body });
        }
    """,
}


def test_it_folds_a_deployment_url_kept_in_a_module_constant(tmp_path: Path) -> None:
    report = audit_project(tmp_path, CLIENT)
    path = "src/lib/api.ts"
    assert findings_of(report, "frontend/cloud-domain-for-http") == [
        ("frontend/cloud-domain-for-http", path, line_of(CLIENT, path, "${BASE}/webhooks")),
        ("frontend/cloud-domain-for-http", path, line_of(CLIENT, path, 'DEPLOYMENT + "/track"')),
    ]


ROUTER = {
    "convex/http.ts": """
        import { httpRouter } from "convex/server";
        import { httpAction } from "./_generated/server";

        const CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Authorization" };
        const PUBLIC_PATHS = ["/a", "/b"];
        const reply = httpAction(async (ctx, request) => {
          request.headers.get("Authorization");
          return new Response("ok", { headers: CORS });
        });

        const http = httpRouter();
        for (const path of PUBLIC_PATHS) {
          http.route({ path, method: "POST", handler: reply });
          http.route({ path, method: "OPTIONS", handler: reply });
        }
        ["GET", "PUT"].forEach((method) => http.route({ path: "/items", method, handler: reply }));
        http.route({ path: "/c", method: "POST", handler: reply });
        export default http;
    """,
}


def test_it_registers_the_paths_of_a_loop_over_a_constant_array(tmp_path: Path) -> None:
    report = audit_project(tmp_path, ROUTER)
    assert sorted((route.method, route.route_key) for route in report.project.routes) == [
        ("GET", "/items"), ("OPTIONS", "/a"), ("OPTIONS", "/b"), ("POST", "/a"), ("POST", "/b"), ("POST", "/c"),
        ("PUT", "/items")]
    # Outside the array, /c has no preflight; /items needs one for PUT with credentials.
    assert findings_of(report, "cors/missing-preflight") == [
        ("cors/missing-preflight", "convex/http.ts", line_of(ROUTER, "convex/http.ts", '["GET", "PUT"]')),
        ("cors/missing-preflight", "convex/http.ts", line_of(ROUTER, "convex/http.ts", 'path: "/c"')),
    ]


INDEXES = {
    "convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { v } from "convex/values";
        export default defineSchema({
          posts: defineTable({ author: v.string(), slug: v.string(), draft: v.boolean() })
            .index("by_author", ["author"])
            .index("by_slug", ["slug"])
            .index("by_draft", ["draft"]),
        });
    """,
    "convex/posts.ts": """
        import { query } from "./_generated/server";
        import { v } from "convex/values";

        const FIELD = "author";
        const BY_AUTHOR = `by_${FIELD}`;

        async function lookUp(ctx: any, indexName: string, field: string, value: string) {
          return await ctx.db.query("posts").withIndex(indexName, (q: any) => q.eq(field, value)).first();
        }

        export const byAuthor = query({
          args: { author: v.string() },
          handler: async (ctx, { author }) =>
            await ctx.db.query("posts").withIndex(BY_AUTHOR, (q) => q.eq("author", author)).take(5),
        });
    """,
}


def test_it_reads_index_names_from_constants_and_agrees_with_the_index_map(tmp_path: Path) -> None:
    report = audit_project(tmp_path, INDEXES)
    # lookUp passes its index by parameter: every posts index may be used through it.
    assert findings_of(report, "schema/unused-index") == []
    call = next(c for b in report.project.bodies.values() for c in b.db_calls if c.index == "by_author")
    assert call.table == "posts"
    index_map = report.to_dict()["inventory"]["index_map"]
    rows = {row["name"]: row for row in index_map["indexes"]}
    assert rows["by_author"]["used_by"] and not rows["by_author"]["unused"]
    assert rows["by_slug"]["used_by"] == [] and not rows["by_slug"]["unused"]
    assert index_map["unused"] == []

    without_helper = dict(INDEXES)
    without_helper["convex/posts.ts"] = INDEXES["convex/posts.ts"].replace("indexName, (q: any)", '"by_slug", (q: any)')
    report = audit_project(tmp_path / "b", without_helper)
    assert findings_of(report, "schema/unused-index") == [
        ("schema/unused-index", "convex/schema.ts", line_of(without_helper, "convex/schema.ts", '"by_draft"')),
    ]
    rows = {row["name"]: row for row in report.to_dict()["inventory"]["index_map"]["indexes"]}
    assert [name for name, row in rows.items() if row["unused"]] == ["by_draft"]
