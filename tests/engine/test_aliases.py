"""Imports through tsconfig path aliases and workspace package names reach project files."""

from __future__ import annotations

from pathlib import Path

from auditor.engine.aliases import read_import_aliases
from tests.engine.helpers import audit_project, findings_of, line_of, write_project

AUTH_CONFIG = """
    export default { providers: [{ domain: "https://clerk.example.dev", applicationID: "convex" }] };
"""

CHECKING_HELPER = """
    import { QueryCtx } from "@cvx/_generated/server";
    export async function requireUser(ctx: QueryCtx) {
      const identity = await ctx.auth.getUserIdentity();
      if (!identity) throw new Error("Unauthorized");
      return identity;
    }
"""

NOT_CHECKING_HELPER = """
    import { QueryCtx } from "@cvx/_generated/server";
    // Named like a guard; it never asks who is calling.
    export async function requireUser(ctx: QueryCtx) {
      return await ctx.db.query("users").first();
    }
"""

NOTES = """
    import { mutation } from "@cvx/_generated/server";
    import { v } from "convex/values";
    import { requireUser } from "@cvx/lib/auth";

    export const add = mutation({
      args: { text: v.string() },
      handler: async (ctx, { text }) => {
        const user = await requireUser(ctx);
        await ctx.db.insert("notes", { text, owner: user?._id });
      },
    });
"""

CONVEX_TSCONFIG = """
    {
      /* The Convex folder's own config, as `npx convex init` writes it, plus an alias. */
      "compilerOptions": {
        "strict": true,
        "paths": {
          "@cvx/*": ["./*"],  // relative to this file: no baseUrl
        },
      },
      "include": ["./**/*"],
    }
"""


def test_it_follows_a_convex_folder_path_alias_to_a_helper_that_checks_identity(tmp_path: Path) -> None:
    report = audit_project(tmp_path, {
        "convex/tsconfig.json": CONVEX_TSCONFIG,
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/lib/auth.ts": CHECKING_HELPER,
        "convex/notes.ts": NOTES,
    })
    assert findings_of(report, "auth/public-function-without-auth") == []
    call = next(c for b in report.project.bodies.values() for c in b.helper_calls if c.name == "requireUser")
    assert call.target == "convex/lib/auth.ts#requireUser"


def test_it_still_flags_a_mutation_whose_aliased_helper_checks_nothing(tmp_path: Path) -> None:
    files = {
        "convex/tsconfig.json": CONVEX_TSCONFIG,
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/lib/auth.ts": NOT_CHECKING_HELPER,
        "convex/notes.ts": NOTES,
    }
    report = audit_project(tmp_path, files)
    assert findings_of(report, "auth/public-function-without-auth") == [
        ("auth/public-function-without-auth", "convex/notes.ts", line_of(files, "convex/notes.ts", "export const add")),
    ]


def test_it_reads_aliases_through_references_extends_and_base_url(tmp_path: Path) -> None:
    files = {
        "tsconfig.json": '{ "files": [], "references": [{ "path": "./tsconfig.app.json" }] }',
        "tsconfig.app.json": """
            {
              "extends": "./tsconfig.base",
              "include": ["src", "convex"],
            }
        """,
        "tsconfig.base.json": """
            { "compilerOptions": { "baseUrl": ".", "paths": { "@cvx/*": ["convex/*"], "@/*": ["src/*"] } } }
        """,
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/lib/auth.ts": CHECKING_HELPER,
        "convex/notes.ts": NOTES,
    }
    report = audit_project(tmp_path, files)
    assert findings_of(report, "auth/public-function-without-auth") == []
    aliases = read_import_aliases(tmp_path)
    assert aliases.governing("convex/notes.ts").path == "tsconfig.app.json"
    assert aliases.candidates("convex/notes.ts", "@cvx/lib/auth") == ["convex/lib/auth", "@cvx/lib/auth"]
    assert aliases.candidates("src/page.tsx", "@/hooks/tasks")[0] == "src/hooks/tasks"


def test_it_uses_the_tsconfig_that_governs_the_importing_file(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "tsconfig.json": '{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }',
        "convex/tsconfig.json": '{ "compilerOptions": { "paths": { "@/*": ["./*"] } } }',
    })
    aliases = read_import_aliases(tmp_path)
    assert aliases.candidates("convex/notes.ts", "@/lib/auth") == ["convex/lib/auth"]
    assert aliases.candidates("src/app/page.tsx", "@/lib/auth") == ["src/lib/auth"]


def test_it_resolves_workspace_package_names_to_their_folders(tmp_path: Path) -> None:
    files = {
        "package.json": '{ "name": "shop", "private": true, "workspaces": ["apps/*", "packages/*"] }',
        "packages/backend/package.json": '{ "name": "@shop/backend", "exports": { "./api": "./convex/_api.ts" } }',
        "packages/backend/convex/_api.ts": "export const version = 1;\n",
        "packages/backend/convex/lib/headers.ts": "export const CORS = { 'Access-Control-Allow-Origin': '*' };\n",
        "apps/web/package.json": '{ "name": "web" }',
        "apps/web/src/page.tsx": """
            import { CORS } from "@shop/backend/convex/lib/headers";
            import { version } from "@shop/backend/api";
            import { useQuery } from "convex/react";
            export const both = [CORS, version, useQuery];
        """,
    }
    report = audit_project(tmp_path, files)
    aliases = report.project.import_aliases
    assert aliases.packages["@shop/backend"] == "packages/backend"
    assert aliases.is_project_source("@shop/backend/convex/lib/headers")
    assert not aliases.is_project_source("convex/react")
    imports = {source: target for source, target, _ in _module_imports(report, "apps/web/src/page.tsx")}
    assert imports["@shop/backend/convex/lib/headers"] == "packages/backend/convex/lib/headers.ts"
    assert imports["@shop/backend/api"] == "packages/backend/convex/_api.ts"
    assert imports["convex/react"] is None


def _module_imports(report, path: str) -> list[tuple[str, str | None, object]]:
    from auditor.engine.imports import ImportGraph

    graph = ImportGraph(report.project)
    module = graph.module(path)
    return [(source, target.path if (target := graph.linker.resolve_module(path, source)) else None, None)
            for source, _ in module.imports.values()]


def test_it_ignores_broken_config_files(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "tsconfig.json": '{ "compilerOptions": { "paths": ',
        "packages/x/package.json": "[1, 2",
        "convex/tsconfig.json": '{ "extends": "@tsconfig/node20/tsconfig.json" }',
    })
    aliases = read_import_aliases(tmp_path)
    assert aliases.packages == {}
    assert aliases.candidates("convex/a.ts", "@/x") == []
    assert aliases.fingerprint == ""


def test_it_counts_convex_auths_auth_object_behind_an_alias_as_a_check(tmp_path: Path) -> None:
    files = {
        "convex/tsconfig.json": CONVEX_TSCONFIG,
        "convex/auth.ts": """
            import { convexAuth } from "@convex-dev/auth/server";
            export const { auth, signIn, signOut, store } = convexAuth({ providers: [] });
        """,
        "convex/app.ts": """
            import { mutation, query } from "@cvx/_generated/server";
            import { v } from "convex/values";
            import { auth } from "@cvx/auth";

            export const rename = mutation({
              args: { name: v.string() },
              handler: async (ctx, { name }) => {
                const uid = await auth.getUserId(ctx);
                if (!uid) return;
                await ctx.db.patch(uid, { name });
              },
            });

            export const careless = mutation({
              args: { id: v.id("users"), name: v.string() },
              handler: async (ctx, { id, name }) => {
                await auth.getUserId(ctx);
                await ctx.db.patch(id, { name });
              },
            });
        """,
    }
    report = audit_project(tmp_path, files)
    assert findings_of(report, "auth/public-function-without-auth") == [
        ("auth/public-function-without-auth", "convex/app.ts",
         line_of(files, "convex/app.ts", "export const careless")),
    ]


def test_it_reads_tsconfig_json_with_comments_and_trailing_commas_as_json5_does():
    import json5

    from auditor.engine.aliases import _loads

    texts = [
        '{"a": 1, // a comment\n "b": [1, 2,], /* block, */ "c": "//kept", "d": "/*kept*/",}',
        '{"e": "quote \\" // inside", "f": 2 /* , */ , }',
        "{'single': 'quotes', unquoted: 1}",  # JSON5 proper: read by json5 itself
        '{"g": [1, // x\n ], "h": {"i": null,},}',
    ]
    for text in texts:
        assert _loads(text) == json5.loads(text), text
