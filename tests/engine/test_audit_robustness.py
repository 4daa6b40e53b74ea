"""Bad input loses nothing: unparseable files, deep nesting, odd bytes, and the parse cache."""

from __future__ import annotations

from pathlib import Path

from auditor.engine import ParseCache, audit_path
from tests.engine.helpers import write_project

GOOD_QUERY = """
    import { query } from "./_generated/server";
    export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("items").take(10) });
"""


def test_it_reports_an_unparseable_file_and_audits_the_rest(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "convex/items.ts": GOOD_QUERY,
        "convex/broken.ts": (
            'import { query } from "./_generated/server";\n'
            "export const x = query({ handler: (ctx) => { ) });\n"
        ),
    })
    report = audit_path(tmp_path, cache=ParseCache())
    errors = [f for f in report.findings if f.rule == "engine/parse-error"]
    assert [(f.loc.path, f.loc.line) for f in errors] == [("convex/broken.ts", 2)]
    assert "items:list" in report.project.functions
    assert report.stats["parse_errors"] == 1
    assert report.stats["parsed"] == 1


def test_it_survives_nesting_too_deep_for_the_parser(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "convex/items.ts": GOOD_QUERY,
        "convex/deep.ts": "export const deep = " + "[" * 10_000 + "]" * 10_000 + ";\n",
        "convex/deep_calls.ts": "export const calls = " + "f(" * 3_000 + ")" * 3_000 + ";\n",
    })
    report = audit_path(tmp_path, cache=ParseCache())
    failed = sorted(f.loc.path for f in report.findings if f.rule == "engine/parse-error")
    assert "convex/deep.ts" in failed
    assert "items:list" in report.project.functions


def test_it_reads_invalid_utf8_nul_bytes_crlf_and_a_bom(tmp_path: Path) -> None:
    convex = write_project(tmp_path, {"convex/items.ts": GOOD_QUERY}) / "convex"
    (convex / "crlf.ts").write_bytes(
        b'\xef\xbb\xbfimport { mutation } from "./_generated/server";\r\n'
        b'export const add = mutation({ args: {}, handler: async (ctx) => {\r\n'
        b'  await ctx.db.insert("items", { name: "caf\xff\xfe" });\r\n'
        b"} });\r\n"
    )
    (convex / "nul.ts").write_bytes(b"export const a = 1;\x00\x00 garbage\n")
    report = audit_path(tmp_path, cache=ParseCache())
    assert "crlf:add" in report.project.functions
    add = report.project.functions["crlf:add"]
    assert add.body is not None and add.body.db_calls[0].loc.line == 3
    assert [f.loc.path for f in report.findings if f.rule == "engine/parse-error"] == ["convex/nul.ts"]


def test_it_skips_files_over_a_megabyte_and_says_so(tmp_path: Path) -> None:
    convex = write_project(tmp_path, {"convex/items.ts": GOOD_QUERY}) / "convex"
    (convex / "huge.ts").write_text("export const blob = " + repr("x" * (1024 * 1024 + 10)) + ";\n")
    report = audit_path(tmp_path, cache=ParseCache())
    assert [s["path"] for s in report.stats["skipped"]] == ["convex/huge.ts"]  # type: ignore[index]
    assert report.stats["files"] == 2


def test_it_reparses_only_files_whose_content_changed(tmp_path: Path) -> None:
    write_project(tmp_path, {"convex/items.ts": GOOD_QUERY, "convex/other.ts": GOOD_QUERY})
    cache = ParseCache()
    first = audit_path(tmp_path, cache=cache)
    assert (cache.hits, cache.misses) == (0, 2)
    audit_path(tmp_path, cache=cache)
    assert (cache.hits, cache.misses) == (2, 2)
    (tmp_path / "convex/other.ts").write_text(GOOD_QUERY.replace("take(10)", "take(20)"))
    again = audit_path(tmp_path, cache=cache)
    assert (cache.hits, cache.misses) == (3, 3)
    assert sorted(again.project.functions) == sorted(first.project.functions)


def test_it_gives_the_same_report_from_a_warm_cache(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "convex/items.ts": GOOD_QUERY,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            const http = httpRouter();
            http.route({ path: "/a", method: "POST", handler: httpAction(async () => new Response("ok")) });
            export default http;
        """,
    })
    cache = ParseCache()
    cold = audit_path(tmp_path, cache=cache).to_dict()
    warm = audit_path(tmp_path, cache=cache).to_dict()
    assert cold["stats"].pop("cache")["misses"] == 2  # type: ignore[union-attr,index]
    assert warm["stats"].pop("cache")["hits"] == 2  # type: ignore[union-attr,index]
    cold["stats"].pop("seconds")  # type: ignore[union-attr]
    warm["stats"].pop("seconds")  # type: ignore[union-attr]
    assert cold == warm


def test_it_skips_test_files_and_says_why(tmp_path: Path) -> None:
    write_project(tmp_path, {
        "convex/items.ts": GOOD_QUERY,
        "convex/items.test.ts": """
            import { convexTest } from "convex-test";
            import { mutation } from "./_generated/server";
            export const seed = mutation(async (ctx) => { ctx.db.insert("items", {}); });
        """,
        "src/__tests__/App.tsx": "export default function App() { return null; }\n",
    })
    report = audit_path(tmp_path, cache=ParseCache())
    skipped = {s["path"]: s["reason"] for s in report.stats["skipped"]}  # type: ignore[union-attr]
    assert set(skipped) == {"convex/items.test.ts", "src/__tests__/App.tsx"}
    assert all(reason.startswith("test file") for reason in skipped.values())
    assert "items.test:seed" not in report.project.functions


def test_it_reads_a_truncated_default_export_that_esprima_accepts(tmp_path: Path) -> None:
    # esprima-fork takes `export defa` for the `export v from "m"` proposal, with no `exported` name.
    write_project(tmp_path, {"convex/items.ts": GOOD_QUERY, "convex/config.ts": "export defa\n"})
    report = audit_path(tmp_path, cache=ParseCache())
    assert "items:list" in report.project.functions
    assert not report.stats["rule_errors"]
    assert not [f for f in report.findings if "internal error" in f.message]
