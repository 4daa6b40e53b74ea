"""SARIF 2.1.0 output: valid against the official OASIS schema, rule help from the docstrings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema.validators import validator_for

from auditor.engine.rules import all_rules, rule_docs
from tests.engine.helpers import audit_project, write_project

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
REPO_ROOT = Path(__file__).resolve().parents[2]

PROJECT = {
    "convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { v } from "convex/values";

        export default defineSchema({
          messages: defineTable({ body: v.string(), author: v.string() })
            .index("by_author", ["author"])
            .index("by_author_body", ["author", "body"]),
        });
    """,
    "convex/messages.ts": """
        import { query, mutation } from "./_generated/server";
        import { api } from "./_generated/api";

        export const list = query(async (ctx) => {
          return await ctx.db.query("messages").collect();
        });

        export const send = mutation({
          handler: async (ctx, args: { body: string }) => {
            ctx.db.insert("messages", { body: args.body, author: "me" });
            // convex-audit-ignore-next-line scheduler/public-function-scheduled -- migration pending
            await ctx.scheduler.runAfter(0, api.messages.list, {});
          },
        });
    """,
    "convex/broken.ts": """
        export const broken = query({ handler: async (ctx) => { return ctx.db.query("t" } });
    """,
}


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@pytest.fixture
def sarif(tmp_path):
    report = audit_project(tmp_path, PROJECT)
    assert len(report.findings) >= 5  # the fixture exercises several rules, a suppression and a parse error
    return report, json.loads(json.dumps(report.to_sarif()))


def _errors(validator, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_it_validates_against_the_official_schema(validator, sarif):
    _report, document = sarif
    assert _errors(validator, document) == []
    assert document["version"] == "2.1.0"


def test_it_validates_an_empty_run(validator, tmp_path):
    report = audit_project(tmp_path, {"convex/empty.ts": "export const x = 1;\n"})
    assert report.findings == []
    assert _errors(validator, report.to_sarif()) == []


def test_it_validates_the_command_line_output(validator, tmp_path):
    write_project(tmp_path, PROJECT)
    result = subprocess.run(
        [sys.executable, "-m", "auditor.engine", str(tmp_path), "--format", "sarif", "--fail-on", "never"],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _errors(validator, json.loads(result.stdout)) == []


def test_it_lists_every_rule_with_help_from_its_docstring(sarif):
    _report, document = sarif
    driver = document["runs"][0]["tool"]["driver"]
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert set(rules) == {rule.id for rule in all_rules()}
    for rule in all_rules():
        doc = rule_docs()[rule.id]
        entry = rules[rule.id]
        assert entry["shortDescription"]["text"] == rule.title
        assert entry["fullDescription"]["text"] == doc.what
        assert doc.what in entry["help"]["text"] and doc.fix in entry["help"]["text"]
        for part in (doc.what, doc.why, doc.example, doc.fix):
            assert part and part in entry["help"]["markdown"]
        expected_level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity]
        assert entry["defaultConfiguration"]["level"] == expected_level


def test_it_gives_every_result_a_partial_fingerprint_and_a_rule_index(sarif):
    report, document = sarif
    run = document["runs"][0]
    results = run["results"]
    assert len(results) == len(report.findings)
    for finding, result in zip(report.findings, results, strict=True):
        assert result["partialFingerprints"] == {"convexAuditor/v1": finding.fingerprint}
        assert len(finding.fingerprint) == 32
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"] == finding.rule
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == finding.loc.line
        assert region["startColumn"] == finding.loc.column + 1


def test_it_uses_relative_uris_and_marks_suppressed_results(sarif):
    _report, document = sarif
    results = document["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris <= {"convex/messages.ts", "convex/schema.ts", "convex/broken.ts"}
    suppressed = [r for r in results if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"][0]["kind"]) for r in suppressed] == [
        ("scheduler/public-function-scheduled", "inSource")]
    assert "migration pending" in suppressed[0]["suppressions"][0]["justification"]


def test_it_percent_encodes_uris_of_a_root_and_files_with_spaces(validator, tmp_path):
    root = tmp_path / "my app"
    report = audit_project(root, {"convex/old files/list.ts": """
        import { query } from "../_generated/server";

        export const list = query(async (ctx) => await ctx.db.query("t").first());
    """})
    document = report.to_sarif()
    assert _errors(validator, document) == []
    base = document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == root.resolve().as_uri() + "/" and " " not in base and base.endswith("/my%20app/")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {"convex/old%20files/list.ts"}
