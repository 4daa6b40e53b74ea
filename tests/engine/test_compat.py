"""Comparing two audits: the inventory a JSON report carries, baselines from disk, and bad baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.engine.audit import ParseCache, audit_path
from auditor.engine.compat import BaselineError, Inventory, load_baseline, narrowed
from tests.engine.helpers import audit_project, write_project

REPO_ROOT = Path(__file__).resolve().parents[2]

V1 = {
    "convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { v } from "convex/values";

        export default defineSchema({
          users: defineTable({ name: v.string(), role: v.union(v.literal("admin"), v.literal("member")) }),
        });
    """,
    "convex/users.ts": """
        import { mutation } from "./_generated/server";
        import { v } from "convex/values";

        export const rename = mutation({ args: { name: v.string() }, handler: async () => null });
    """,
}
V2 = {
    **V1,
    "convex/schema.ts": V1["convex/schema.ts"].replace('v.literal("member")', 'v.literal("member"), v.literal("guest")')
    .replace("name: v.string(),", "name: v.string(), email: v.string(),"),
}


def test_it_writes_validators_and_argument_shapes_into_the_json_report(tmp_path):
    report = audit_project(tmp_path, V1).to_dict()
    assert report["format"] == {"name": "convex-auditor-report", "version": 2}
    table = report["inventory"]["schema"]["tables"][0]
    role = table["document"]["fields"]["role"]
    assert role == {"kind": "union", "children": [{"kind": "literal", "value": '"admin"'},
                                                  {"kind": "literal", "value": '"member"'}]}
    function = report["inventory"]["functions"][0]
    assert function["args_shape"] == {"name": {"kind": "string"}}
    # The existing keys stay as they were.
    assert table["fields"][1] == {"name": "role", "type": "literal | literal", "optional": False, "references": None}


def test_it_takes_a_baseline_report_from_disk_on_the_command_line(tmp_path):
    baseline = tmp_path / "previous.json"
    baseline.write_text(json.dumps(audit_project(tmp_path / "v1", V1).to_dict()))
    write_project(tmp_path / "v2", V2)
    result = subprocess.run([sys.executable, "-m", "auditor.engine", str(tmp_path / "v2"), "--format", "json",
                             "--fail-on", "never", "--baseline", str(baseline)],
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    rules = {finding["rule"] for finding in json.loads(result.stdout)["findings"]}
    assert "compat/required-field-added" in rules
    assert "compat/field-type-narrowed" not in rules  # the union only widened


@pytest.mark.parametrize(("content", "message"), [
    (None, "does not exist"),
    ("{ not json", "is not JSON"),
    ('["a list"]', "is not a JSON object"),
    ('{"findings": []}', "no inventory of functions"),
    ('{"format": {"version": 99}, "inventory": {"functions": []}}', "format version 99"),
    ('{"inventory": {"functions": [{"id": "a:b", "kind": "query", "visibility": "public"}]}}', "older engine"),
    ('{"inventory": {"functions": [{"id": "a:b", "args_shape": {"x": 3}}]}}', "expected shape"),
])
def test_it_refuses_a_baseline_it_cannot_read_with_a_clear_error(tmp_path, content, message):
    baseline = tmp_path / "previous.json"
    if content is not None:
        baseline.write_text(content)
    write_project(tmp_path / "app", V1)
    with pytest.raises(BaselineError, match=message):
        audit_path(tmp_path / "app", cache=ParseCache(), baseline=baseline)
    output = tmp_path / "report.json"
    result = subprocess.run([sys.executable, "-m", "auditor.engine", str(tmp_path / "app"), "--format", "json",
                             "--baseline", str(baseline), "--output", str(output)],
                            capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.startswith("convex-audit: ")
    assert not output.exists()  # nothing half-written
    assert baseline.exists() == (content is not None)  # the baseline is left as it was


def test_it_runs_no_compat_rule_without_a_baseline(tmp_path):
    report = audit_project(tmp_path, V2)
    assert not [f for f in report.findings if f.rule.startswith("compat/")]
    assert report.stats["baseline"] is False


def test_it_accepts_an_inventory_or_a_parsed_report_as_baseline(tmp_path):
    data = audit_project(tmp_path / "v1", V1).to_dict()
    assert load_baseline(data).functions == load_baseline(data["inventory"]).functions
    inventory = load_baseline(data)
    assert load_baseline(inventory) is inventory and isinstance(inventory, Inventory)


S = {"kind": "string"}
N = {"kind": "number"}


def lit(value: object) -> dict[str, str]:
    return {"kind": "literal", "value": json.dumps(value)}


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({"kind": "union", "children": [lit("a"), lit("b")]}, {"kind": "union", "children": [lit("a")]}, True),
    ({"kind": "union", "children": [lit("a")]}, {"kind": "union", "children": [lit("a"), lit("b")]}, False),
    ({"kind": "any"}, S, True),
    (S, {"kind": "any"}, False),
    ({"kind": "optional", "children": [S]}, {"kind": "any"}, True),
    ({"kind": "any"}, {"kind": "optional", "children": [{"kind": "any"}]}, False),
    ({"kind": "optional", "children": [S]}, S, True),
    (S, {"kind": "optional", "children": [S]}, False),
    (lit(1), {"kind": "float64"}, False),
    (lit(1), lit(1.0), False),
    (lit(True), lit(1), True),
    ({"kind": "int64"}, {"kind": "bigint"}, False),
    (N, S, True),
    ({"kind": "array", "children": [S]}, {"kind": "array", "children": [{"kind": "union", "children": [S, N]}]}, False),
    ({"kind": "nullable", "children": [S]}, S, True),
    (S, {"kind": "nullable", "children": [S]}, False),
    ({"kind": "unknown"}, S, None),
    (lit("a"), {"kind": "literal"}, None),
    ({"kind": "object", "fields": {"a": S}, "open": True}, {"kind": "object", "fields": {"a": S}}, None),
    ({"kind": "object", "fields": {"a": S}}, {"kind": "object", "fields": {"a": S, "b": {"kind": "optional",
                                                                                         "children": [N]}}}, False),
])
def test_it_decides_narrowing_only_when_both_sides_are_understood(old, new, expected):
    assert narrowed(old, new) is expected


def test_it_reports_each_removed_function_and_groups_fields_and_arguments(tmp_path):
    before = {
        "convex/schema.ts": V1["convex/schema.ts"],
        "convex/users.ts": """
            import { mutation, query } from "./_generated/server";
            import { v } from "convex/values";

            export const rename = mutation({ args: { name: v.string() }, handler: async () => null });
            export const list = query({ args: {}, handler: async () => [] });
            export const get = query({ args: {}, handler: async () => null });
        """,
    }
    after = {
        "convex/schema.ts": V1["convex/schema.ts"].replace(
            'name: v.string(), role: v.union(v.literal("admin"), v.literal("member"))',
            "handle: v.optional(v.string())"),
        "convex/users.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const rename = mutation({
              args: { name: v.string(), by: v.string(), at: v.number() },
              handler: async () => null,
            });
        """,
    }
    from tests.engine.helpers import audit_change

    findings = [(f.rule, f.message) for f in audit_change(tmp_path, before, after).active_findings
                if f.rule.startswith("compat/")]
    rules = sorted(rule for rule, _ in findings)
    assert rules == ["compat/field-removed", "compat/public-function-removed", "compat/public-function-removed",
                     "compat/required-arg-added"]
    removed = next(message for rule, message in findings if rule == "compat/field-removed")
    assert '"name", "role"' in removed
    args = next(message for rule, message in findings if rule == "compat/required-arg-added")
    assert '"by" (string)' in args and '"at" (number)' in args
