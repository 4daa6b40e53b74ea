"""The JSON report: its shape, relative paths, 1-based lines and stable fingerprints."""

from __future__ import annotations

import json
import textwrap

from tests.engine.helpers import audit_project

FINDING_KEYS = {"rule", "severity", "path", "line", "column", "end_line", "end_column", "message",
                "fingerprint", "suppressed"}

PROJECT = {
    "convex/lib/storage.ts": """export const uploadUrl = mutation(async (ctx) => ctx.storage.generateUploadUrl());
import { mutation } from "../_generated/server";
""",
    "convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { v } from "convex/values";

        export default defineSchema({
          messages: defineTable({ body: v.string() }).index("by_body", ["body"]),
        });
    """,
    "convex/http.ts": """
        import { httpRouter } from "convex/server";
        import { httpAction } from "./_generated/server";

        const http = httpRouter();
        http.route({ path: "/ping", method: "GET", handler: httpAction(async () => new Response("ok")) });
        export default http;
    """,
    "convex/crons.ts": """
        import { cronJobs } from "convex/server";
        import { internal } from "./_generated/api";

        const crons = cronJobs();
        crons.hourly("tidy", { minuteUTC: 5 }, internal.lib.storage.tidy);
        export default crons;
    """,
}


def _report(tmp_path, files=PROJECT) -> dict:
    data = audit_project(tmp_path, files).to_dict()
    return json.loads(json.dumps(data))  # what the CLI prints: plain JSON values only


def test_it_has_findings_inventory_and_stats(tmp_path):
    data = _report(tmp_path)
    assert {"findings", "inventory", "stats"} <= set(data)
    assert data["findings"]
    for finding in data["findings"]:
        assert set(finding) >= FINDING_KEYS
        assert finding["severity"] in {"error", "warning", "info"}
        assert isinstance(finding["suppressed"], bool)
    assert set(data["inventory"]) == {"functions", "http_routes", "schema", "index_map", "crons"}
    assert {"files", "parsed", "parse_errors", "skipped", "seconds"} <= set(data["stats"])


def test_it_fills_the_inventories(tmp_path):
    inventory = _report(tmp_path)["inventory"]
    assert [f["id"] for f in inventory["functions"]] == ["lib/storage:uploadUrl"]
    assert [(r["method"], r["path"]) for r in inventory["http_routes"]] == [("GET", "/ping")]
    assert [t["name"] for t in inventory["schema"]["tables"]] == ["messages"]
    assert [i["name"] for i in inventory["index_map"]["indexes"]] == ["by_body"]
    assert [i["name"] for i in inventory["index_map"]["unused"]] == ["by_body"]
    assert [(c["name"], c["target"]) for c in inventory["crons"]] == [("tidy", "internal.lib.storage.tidy")]


def test_it_counts_files_in_stats(tmp_path):
    stats = _report(tmp_path)["stats"]
    assert (stats["files"], stats["parsed"], stats["parse_errors"], stats["skipped"]) == (4, 4, 0, [])
    assert isinstance(stats["seconds"], int | float) and stats["seconds"] >= 0


def test_it_reports_paths_relative_with_slashes_and_lines_from_one(tmp_path):
    findings = _report(tmp_path)["findings"]
    nested = [f for f in findings if f["rule"] == "functions/old-syntax"]
    assert [(f["path"], f["line"]) for f in nested] == [("convex/lib/storage.ts", 1)]
    for finding in findings:
        assert not finding["path"].startswith("/") and "\\" not in finding["path"]
        assert str(tmp_path) not in finding["path"]
        assert finding["line"] >= 1 and finding["end_line"] >= finding["line"]
        assert finding["column"] >= 0


def test_it_keeps_fingerprints_when_unrelated_lines_are_inserted_above(tmp_path):
    before = _report(tmp_path / "a")
    shifted = dict(PROJECT)
    shifted["convex/schema.ts"] = "// a comment\n// another one\n\n" + _dedent(PROJECT["convex/schema.ts"])
    after = _report(tmp_path / "b", shifted)
    old = {(f["rule"], f["path"]): (f["fingerprint"], f["line"]) for f in before["findings"]}
    new = {(f["rule"], f["path"]): (f["fingerprint"], f["line"]) for f in after["findings"]}
    assert set(old) == set(new)
    moved = old[("schema/unused-index", "convex/schema.ts")], new[("schema/unused-index", "convex/schema.ts")]
    assert moved[1][1] == moved[0][1] + 3
    assert {key: value[0] for key, value in old.items()} == {key: value[0] for key, value in new.items()}


def test_it_tells_identical_snippets_in_different_functions_apart(tmp_path):
    same_line = 'ctx.db.insert("log", { at: 1 });'
    data = _report(tmp_path, {
        "convex/log.ts": f"""
            import {{ internalMutation }} from "./_generated/server";

            export const first = internalMutation({{
              args: {{}},
              handler: async (ctx) => {{
                {same_line}
              }},
            }});

            export const second = internalMutation({{
              args: {{}},
              handler: async (ctx) => {{
                {same_line}
              }},
            }});
        """,
    })
    floating = [f for f in data["findings"] if f["rule"] == "correctness/floating-promise"]
    assert [f["function"] for f in floating] == ["log:first", "log:second"]
    assert floating[0]["snippet"] == floating[1]["snippet"] == same_line
    assert floating[0]["fingerprint"] != floating[1]["fingerprint"]


def _dedent(source: str) -> str:
    return textwrap.dedent(source).lstrip("\n")
