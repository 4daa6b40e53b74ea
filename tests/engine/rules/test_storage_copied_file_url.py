"""storage/copied-file-url: complete URLs of stored files pasted into code or data, once per file."""

from __future__ import annotations

import pytest

from auditor.engine.audit import ParseCache, audit_path
from tests.engine.helpers import check_case, clean, findings_of, flagged, write_project
from tests.gitrepos import git

RULE_ID = "storage/copied-file-url"

SAMPLE_JSON = '[{"image": "https://brave-heron-42.convex.cloud/api/storage/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}]'

FLAGGED = [
    flagged("sample data with several URLs (one finding per file), and one in a frontend fixture", {
        "convex/seed.ts": """
            import { internalMutation } from "./_generated/server";

            const SAMPLE = [
              { name: "Ada",
                avatar: "https://happy-otter-123.convex.cloud/api/storage/3f2a9c1e-8a4b-4b8e-9a55-0f1d2e3c4b5a" },
              { name: "Bob",
                avatar: "https://happy-otter-123.convex.cloud/api/storage/6b8e0d2f-1c3a-4e5b-8f7a-9d0c1b2a3e4f" },
              { name: "Cy",
                avatar: `https://happy-otter-123.convex.cloud/api/storage/kg2a4dcsd0yf5r1jq5x6e8h3n97mzw1p` },
            ];

            export const seed = internalMutation({
              args: {},
              handler: async (ctx) => {
                for (const user of SAMPLE) await ctx.db.insert("users", user);
              },
            });
        """,
        "src/fixtures/posts.ts": """
            export const post = {
              image: "https://quiet-lynx-9.convex.site/api/storage/0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5",
            };
        """,
    }, ("convex/seed.ts", "happy-otter"), ("src/fixtures/posts.ts", "quiet-lynx")),
    flagged("JSON sample data with two URLs: one finding at the first", {
        "convex/schema.ts": "export default {};\n",
        "data/products.json": """
            [
              {"name": "Mug", "image": "https://brave-heron-42.convex.cloud/api/storage/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"},
              {"name": "Cap", "image": "https://brave-heron-42.convex.cloud/api/storage/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"}
            ]
        """,
    }, ("data/products.json", "Mug")),
]

CLEAN = [
    clean("built URLs, patterns, bases, upload routes, and the project's own /storage route on .site", {
        "convex/files.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const url = query({
              args: { id: v.id("_storage") },
              handler: async (ctx, { id }) => await ctx.storage.getUrl(id),
            });
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { serve } from "./serve";
            const http = httpRouter();
            http.route({ pathPrefix: "/storage/", method: "GET", handler: serve });
            export default http;
        """,
        "src/config.ts": """
            export const patterns = ["https://*.convex.cloud/api/storage/**"];
            export const upload = "https://quiet-lynx-9.convex.site/storage/upload";
            export const proxied = "https://quiet-lynx-9.convex.site/storage/0c1d2e3f-4a5b-6c7d-8e9f-a0b1c2d3e4f5";
            export const docs = "Files live under https://<deployment>.convex.cloud/api/storage/<id>.";
        """,
    }),
    clean("JSON data the audit does not read: ignored by .gitignore, installed, built, or only a pattern", {
        "convex/schema.ts": "export default {};\n",
        ".gitignore": "local-exports/\n*.local.json\n",
        "local-exports/products.json": SAMPLE_JSON,
        "data/products.local.json": SAMPLE_JSON,
        "node_modules/some-package/data.json": SAMPLE_JSON,
        "dist/data.json": SAMPLE_JSON,
        "next-images.json": '{"remotePatterns": ["https://*.convex.cloud/api/storage/**"]}',
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_pasted_file_urls_once_per_file(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_built_urls_patterns_and_own_routes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


def test_it_reads_json_data_that_git_tracks_and_not_what_git_ignores(tmp_path):
    files = {
        "convex/schema.ts": "export default {};\n",
        ".gitignore": "exports/\n",
        "seed/users.json": SAMPLE_JSON,
        "exports/users.json": SAMPLE_JSON,
    }
    write_project(tmp_path, files)
    git("init", "-q", cwd=tmp_path)
    git("add", "-A", cwd=tmp_path)
    (tmp_path / "seed" / "extra.json").write_text(SAMPLE_JSON, encoding="utf-8")  # untracked, not ignored
    found = findings_of(audit_path(tmp_path, cache=ParseCache()), RULE_ID)
    assert found == [(RULE_ID, "seed/extra.json", 1), (RULE_ID, "seed/users.json", 1)]
