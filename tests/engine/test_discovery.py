"""Discovery: the Convex folder from convex.json, skipped folders, oversized files, frontend files."""

from __future__ import annotations

import json

import pytest

from auditor.engine import EngineUsageError
from auditor.engine.audit import ParseCache, audit_path
from auditor.engine.discovery import MAX_FILE_BYTES, discover
from tests.engine.helpers import write_project

OLD_QUERY = """
    import { query } from "./_generated/server";

    export const list = query(async (ctx) => await ctx.db.query("messages").take(10));
"""


def _write(root, files):
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def test_it_honours_the_functions_folder_of_convex_json(tmp_path):
    _write(tmp_path, {
        "convex.json": json.dumps({"functions": "backend/convex/"}),
        "backend/convex/messages.ts": OLD_QUERY,
        "backend/convex/lib/util.ts": "export const twice = (n: number) => n * 2;\n",
        "backend/convex/_generated/server.ts": "export const query = (x: any) => x;\n",
        "app/page.tsx": "export default function Page() { return null; }\n",
    })
    report = audit_path(tmp_path, cache=ParseCache())
    assert report.stats["convex_dir"] == "backend/convex"
    assert report.stats["convex_files"] == 2 and report.stats["frontend_files"] == 1
    assert sorted(report.project.modules) == ["backend/convex/lib/util.ts", "backend/convex/messages.ts"]
    assert [m.module for m in report.project.modules.values()].count("lib/util") == 1
    assert list(report.project.functions) == ["messages:list"]
    assert list(report.project.frontend) == ["app/page.tsx"]
    assert [f.loc.path for f in report.findings if f.rule == "functions/old-syntax"] == ["backend/convex/messages.ts"]
    assert {f.loc.path.split("/")[0] for f in report.findings} == {"backend"}
    assert report.project.generated_files == ["backend/convex/_generated/server.ts"]


def test_it_uses_convex_at_the_root_without_convex_json(tmp_path):
    write_project(tmp_path, {"convex/messages.ts": OLD_QUERY})
    assert discover(tmp_path).convex_dir == "convex"


def test_it_prefers_an_explicit_convex_dir(tmp_path):
    _write(tmp_path, {"convex.json": json.dumps({"functions": "nowhere/"}), "api/convex/a.ts": OLD_QUERY})
    assert discover(tmp_path, "api/convex").convex_dir == "api/convex"
    with pytest.raises(EngineUsageError, match="nowhere"):
        discover(tmp_path)


@pytest.mark.parametrize("config", ['{"functions": 3}', "{not json"])
def test_it_rejects_a_broken_convex_json(tmp_path, config):
    _write(tmp_path, {"convex.json": config, "convex/a.ts": OLD_QUERY})
    with pytest.raises(EngineUsageError, match=r"convex\.json"):
        discover(tmp_path)


def test_it_skips_generated_code_and_node_modules(tmp_path):
    _write(tmp_path, {
        "convex/messages.ts": OLD_QUERY,
        "convex/_generated/api.js": "export const api = anyApi;\n",
        "convex/_generated/server.d.ts": "export declare const query: any;\n",
        "convex/node_modules/dep/index.js": "module.exports = query(async () => 1);\n",
        "node_modules/convex/server.js": "export const query = 1;\n",
        "node_modules/.pnpm/pkg/index.ts": "export const x = 1;\n",
    })
    found = discover(tmp_path)
    assert [f.path for f in found.convex_files] == ["convex/messages.ts"]
    assert found.frontend_files == []
    assert sorted(found.generated_files) == ["convex/_generated/api.js", "convex/_generated/server.d.ts"]
    report = audit_path(tmp_path, cache=ParseCache())
    # The hand-written stubs under _generated/ are reported as such, never parsed as code.
    assert {f.loc.path for f in report.findings if f.rule != "config/generated-code-edited"} == {"convex/messages.ts"}


def test_it_reports_files_over_one_megabyte_as_skipped(tmp_path):
    big = "// padding\n" * (MAX_FILE_BYTES // 11 + 10)
    _write(tmp_path, {
        "convex/messages.ts": OLD_QUERY,
        "convex/seed_data.ts": big + OLD_QUERY,
        "src/fixtures.ts": big,
    })
    report = audit_path(tmp_path, cache=ParseCache())
    skipped = {entry["path"]: entry["reason"] for entry in report.stats["skipped"]}
    assert set(skipped) == {"convex/seed_data.ts", "src/fixtures.ts"}
    assert all("1 MB" in reason for reason in skipped.values())
    assert report.stats["files"] == 3 and report.stats["parsed"] == 1
    assert [f.loc.path for f in report.findings if f.rule == "functions/old-syntax"] == ["convex/messages.ts"]
    assert report.to_dict()["stats"]["skipped"] == report.stats["skipped"]
    assert "2 skipped" in report.to_text()


def test_it_finds_frontend_files_outside_the_convex_folder_only(tmp_path):
    _write(tmp_path, {
        "convex/messages.ts": OLD_QUERY,
        "src/App.tsx": "export const App = () => null;\n",
        "src/lib/client.js": "export const url = 'x';\n",
        "app/page.jsx": "export default () => null;\n",
        "src/types.d.ts": "declare const x: number;\n",
        "src/styles.css": "body {}\n",
        "node_modules/react/index.js": "module.exports = {};\n",
        "dist/bundle.js": "var a = 1;\n",
        "build/static/main.js": "var a = 1;\n",
        ".next/server/page.js": "var a = 1;\n",
        ".hidden/tool.ts": "export const x = 1;\n",
    })
    found = discover(tmp_path)
    assert sorted(f.path for f in found.frontend_files) == ["app/page.jsx", "src/App.tsx", "src/lib/client.js"]
    assert all(not f.in_convex and f.module is None for f in found.frontend_files)
    assert [(f.path, f.module) for f in found.convex_files] == [("convex/messages.ts", "messages")]


def test_it_reads_every_supported_extension(tmp_path):
    names = ["a.ts", "b.tsx", "c.js", "d.mjs", "e.cjs", "f.jsx"]
    _write(tmp_path, {f"convex/{name}": "export const x = 1;\n" for name in names} | {"convex/g.json": "{}"})
    assert sorted(f.path.split("/")[-1] for f in discover(tmp_path).convex_files) == names
