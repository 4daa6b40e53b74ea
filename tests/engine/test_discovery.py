"""Discovery: the Convex folder from convex.json, skipped folders, oversized files, frontend files."""

from __future__ import annotations

import json

import pytest

from auditor.engine import EngineUsageError
from auditor.engine.audit import ParseCache, audit_path
from auditor.engine.discovery import MAX_FILE_BYTES, convex_dirs_in_listing, discover
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


# Finding the Convex folder below the root ---------------------------------------------------

CONVEX_PACKAGE = json.dumps({"name": "backend", "dependencies": {"convex": "^1.17.0"}})


def test_it_finds_the_convex_folder_of_a_monorepo_package(tmp_path):
    _write(tmp_path, {
        "package.json": json.dumps({"name": "root", "workspaces": ["apps/*", "packages/*"]}),
        "packages/backend/package.json": CONVEX_PACKAGE,
        "packages/backend/convex/messages.ts": OLD_QUERY,
        "apps/web/package.json": json.dumps({"dependencies": {"next": "15"}}),
        "apps/web/app/page.tsx": "export default function Page() { return null; }\n",
    })
    report = audit_path(tmp_path, cache=ParseCache())
    assert report.stats["convex_dir"] == "packages/backend/convex"
    assert report.stats["convex_dir_source"] == "found below"
    assert list(report.project.functions) == ["messages:list"]
    assert list(report.project.frontend) == ["apps/web/app/page.tsx"]


@pytest.mark.parametrize("key", ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"])
def test_it_counts_every_kind_of_dependency_on_convex(tmp_path, key):
    _write(tmp_path, {"app/package.json": json.dumps({key: {"convex": "1.x"}}), "app/convex/a.ts": OLD_QUERY})
    assert discover(tmp_path).convex_dir == "app/convex"


def test_it_follows_a_nested_convex_json(tmp_path):
    _write(tmp_path, {
        "services/api/convex.json": json.dumps({"functions": "src/functions/"}),
        "services/api/src/functions/a.ts": OLD_QUERY,
    })
    found = discover(tmp_path)
    assert (found.convex_dir, found.convex_dir_source) == ("services/api/src/functions", "found below")


def test_it_takes_convex_beside_a_nested_convex_json_without_functions(tmp_path):
    _write(tmp_path, {"backend/convex.json": "{}", "backend/convex/a.ts": OLD_QUERY})
    assert discover(tmp_path).convex_dir == "backend/convex"


def test_it_ignores_a_convex_folder_whose_package_does_not_depend_on_convex(tmp_path):
    _write(tmp_path, {
        "docs/package.json": json.dumps({"dependencies": {"react": "19"}}),
        "docs/convex/a.ts": OLD_QUERY,
        "notes/convex/b.ts": OLD_QUERY,  # no package.json at all
        "broken/package.json": "{not json",
        "broken/convex/c.ts": OLD_QUERY,
        "listy/package.json": "[1, 2]",
        "listy/convex/d.ts": OLD_QUERY,
    })
    with pytest.raises(EngineUsageError, match="none below it"):
        discover(tmp_path)


@pytest.mark.parametrize("hidden", ["node_modules/pkg", ".git/x", "dist", ".next/server", "vendor/lib", ".hidden"])
def test_it_never_looks_in_installed_built_or_hidden_folders(tmp_path, hidden):
    _write(tmp_path, {f"{hidden}/package.json": CONVEX_PACKAGE, f"{hidden}/convex/a.ts": OLD_QUERY})
    with pytest.raises(EngineUsageError, match="no Convex folder"):
        discover(tmp_path)


def test_it_refuses_several_convex_folders_with_the_list(tmp_path):
    _write(tmp_path, {
        "apps/one/package.json": CONVEX_PACKAGE, "apps/one/convex/a.ts": OLD_QUERY,
        "apps/two/convex.json": json.dumps({"functions": "backend"}), "apps/two/backend/a.ts": OLD_QUERY,
    })
    with pytest.raises(EngineUsageError) as refused:
        discover(tmp_path)
    assert str(refused.value) == (f"several Convex folders below {tmp_path.resolve()}: "
                                  "apps/one/convex, apps/two/backend; choose one with --convex-dir")
    assert discover(tmp_path, "apps/two/backend").convex_dir_source == "option"


def test_it_lists_at_most_ten_folders_and_counts_the_rest(tmp_path):
    for index in range(12):
        folder = f"demos/d{index:02}"
        _write(tmp_path, {f"{folder}/package.json": CONVEX_PACKAGE, f"{folder}/convex/a.ts": OLD_QUERY})
    with pytest.raises(EngineUsageError, match=r"demos/d09/convex and 2 more; choose one"):
        discover(tmp_path)


def test_it_skips_a_nested_convex_json_that_is_broken_or_points_outside(tmp_path):
    _write(tmp_path, {
        "a/convex.json": "{oops",
        "b/convex.json": json.dumps({"functions": "../../outside"}),
        "c/convex.json": json.dumps({"functions": 7}),
        "d/package.json": CONVEX_PACKAGE, "d/convex/a.ts": OLD_QUERY,
    })
    assert discover(tmp_path).convex_dir == "d/convex"


def test_it_prefers_the_root_convex_folder_to_any_below(tmp_path):
    _write(tmp_path, {"convex/a.ts": OLD_QUERY, "apps/x/package.json": CONVEX_PACKAGE, "apps/x/convex/b.ts": OLD_QUERY})
    found = discover(tmp_path)
    assert (found.convex_dir, found.convex_dir_source) == ("convex", "root")


def test_it_reports_a_root_convex_json_as_the_source(tmp_path):
    _write(tmp_path, {"convex.json": "{}", "convex/a.ts": OLD_QUERY})
    assert discover(tmp_path).convex_dir_source == "convex.json"


def test_it_stops_searching_six_folders_down(tmp_path):
    deep = "a/b/c/d/e/f"
    _write(tmp_path, {f"{deep}/package.json": CONVEX_PACKAGE, f"{deep}/convex/a.ts": OLD_QUERY})
    with pytest.raises(EngineUsageError, match="none below it"):
        discover(tmp_path)
    shallower = "a/b/c/d/e"
    _write(tmp_path, {f"{shallower}/package.json": CONVEX_PACKAGE, f"{shallower}/convex/a.ts": OLD_QUERY})
    assert discover(tmp_path).convex_dir == f"{shallower}/convex"


def test_it_does_not_follow_a_linked_package_json(tmp_path):
    _write(tmp_path, {"real/package.json": CONVEX_PACKAGE, "app/convex/a.ts": OLD_QUERY})
    (tmp_path / "app" / "package.json").symlink_to(tmp_path / "real" / "package.json")
    with pytest.raises(EngineUsageError, match="none below it"):
        discover(tmp_path)


def test_it_finds_convex_folders_in_a_listing_without_file_contents():
    listing = [
        "package.json", "convex.json",  # the root's own: not a search result
        "apps", "apps/web", "apps/web/package.json", "apps/web/app",
        "packages", "packages/backend", "packages/backend/package.json", "packages/backend/convex",
        "packages/backend/convex/schema.ts",
        "services", "services/api", "services/api/convex.json", "services/api/convex",
        "node_modules/x/package.json", "node_modules/x/convex",
        ".github/package.json", ".github/convex",
    ]
    assert convex_dirs_in_listing(listing) == ["packages/backend/convex", "services/api/convex"]


def test_it_reads_package_json_and_convex_json_from_a_listing_when_it_can():
    files = {
        "a/package.json": json.dumps({"devDependencies": {"convex": "1"}}),
        "b/package.json": json.dumps({"dependencies": {"react": "19"}}),
        "c/convex.json": json.dumps({"functions": "src/fns"}),
        "d/convex.json": json.dumps({"functions": "../../etc"}),
    }
    listing = [*files, "a/convex", "b/convex", "c/src/fns", "c/convex", "etc"]
    assert convex_dirs_in_listing(listing, files.get) == ["a/convex", "c/src/fns"]
