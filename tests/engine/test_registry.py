"""The rule registry: documented modules, the spec's ids and severities, tests for each rule, docs/rules.md current."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.engine.ruledocs import REGENERATE, render
from auditor.engine.ruledocs import main as ruledocs_main
from auditor.engine.rules import RULE_MODULES, all_rules, rule_modules
from auditor.engine.rules.base import DOC_SECTIONS, RuleInfo, parse_doc
from tests.engine.helpers import Case

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = REPO_ROOT / "auditor" / "engine" / "rules"
RULES_DOC = REPO_ROOT / "docs" / "rules.md"
NOT_RULES = {"__init__", "base"}

# The rule set the product promises (the spec's blocks 1 to 4): id and severity of each. Ids are
# fixed, since reports, suppressions, history and SARIF key on them; a rule may be added, never
# renamed or dropped.
SPEC_BLOCK_1 = {
    "functions/query-writes-db": "error",
    "functions/action-uses-db": "error",
    "functions/side-effect-in-transaction": "error",
    "scheduler/action-called-from-mutation": "error",
    "cors/missing-headers": "error",
    "cors/missing-preflight": "error",
    "http/error-status": "warning",
    "schema/unknown-index": "error",
    "schema/unknown-table": "error",
    "schema/unindexed-filter": "warning",
    "frontend/cloud-domain-for-http": "error",
    "storage/manual-url": "error",
    "auth/public-function-without-auth": "warning",
    "auth/http-without-auth": "warning",
    "security/hardcoded-secret": "error",
}
SPEC_BLOCK_2 = {
    "validators/missing-args": "warning",
    "functions/old-syntax": "warning",
    "scheduler/public-function-scheduled": "warning",
    "correctness/floating-promise": "warning",
    "perf/date-now-in-query": "warning",
    "perf/unbounded-collect": "info",
    "perf/sequential-runs-in-action": "info",
    "schema/redundant-index": "info",
    "schema/unused-index": "info",
    "engine/parse-error": "info",
}
SPEC_BLOCK_3 = {
    "validators/missing-returns": "info",
    "validators/any-in-public-args": "warning",
    "validators/string-for-id": "warning",
    "auth/spoofable-identity-arg": "warning",
    "auth/broad-patch": "warning",
    "auth/conditional-export": "warning",
    "security/env-file-committed": "error",
    "config/process-env": "info",
    "config/missing-auth-config": "error",
    "config/generated-code-edited": "warning",
    "correctness/implicit-table-id": "info",
    "correctness/direct-function-ref": "warning",
    "correctness/mutation-from-query": "error",
    "correctness/non-determinism-in-query": "warning",
    "correctness/deprecated-validator": "warning",
    "correctness/first-on-unique-index": "info",
    "runtime/node-import-in-default-runtime": "error",
    "runtime/node-for-query-or-mutation": "warning",
    "schema/import-cycle": "error",
    "schema/missing-schema": "warning",
    "schema/foreign-key-without-index": "info",
    "schema/unbounded-id-array": "warning",
    "schema/deep-nesting": "info",
    "schema/search-index-without-filter": "info",
    "schema/too-many-indexes": "info",
    "perf/run-in-loop": "error",
    "perf/run-from-query-or-mutation": "warning",
    "perf/action-calls-action": "warning",
    "perf/collect-then-filter": "warning",
    "perf/unpaginated-public-list": "warning",
    "crons/top-of-hour": "info",
    "arch/large-handler": "info",
    "arch/no-convex-error": "info",
    "client/mutation-in-render": "error",
    "client/unhandled-loading": "warning",
    "client/action-from-client": "info",
}
SPEC_BLOCK_4 = {
    "auth/public-query-exposes-private-data": "error",
    "functions/unexported-function": "warning",
    "http/router-not-exported": "error",
    "http/duplicate-route": "error",
    "http/invalid-route-spec": "error",
    "cors/wildcard-with-credentials": "error",
    "schema/invalid-index-definition": "error",
    "perf/missing-pagination-validator": "warning",
    "correctness/unsupported-validator": "error",
    "correctness/query-chain-delete": "error",
    "runtime/misplaced-use-node": "warning",
    "crons/duplicate-id": "error",
    "imports/registrar-from-convex-server": "error",
    "imports/api-from-generated-server": "error",
    "imports/unknown-convex-server-export": "error",
    "schema/reserved-table-name": "error",
    "functions/reserved-word-export": "error",
    "http/param-route-path": "error",
    "http/handler-not-httpaction": "error",
    "correctness/withindex-range-method": "error",
    "correctness/query-count-method": "error",
    "correctness/query-skip-method": "error",
    "correctness/run-with-string-ref": "error",
    "storage/copied-file-url": "info",
    "compat/required-field-added": "error",
    "compat/field-removed": "warning",
    "compat/field-type-narrowed": "error",
    "compat/public-function-removed": "warning",
    "compat/required-arg-added": "warning",
}
REQUIRED = {**SPEC_BLOCK_1, **SPEC_BLOCK_2, **SPEC_BLOCK_3, **SPEC_BLOCK_4}


def _module_name(rule_id: str) -> str:
    return rule_id.replace("/", "_").replace("-", "_")


@pytest.mark.parametrize("name", RULE_MODULES)
def test_it_documents_every_registered_rule(name):
    module = importlib.import_module(f"auditor.engine.rules.{name}")
    assert isinstance(module.RULE, RuleInfo)
    assert callable(module.check)
    doc = parse_doc(module)
    assert doc.title, f"{name}: the docstring has no title line"
    assert set(doc.sections) == set(DOC_SECTIONS), f"{name}: sections {sorted(doc.sections)}"
    for section in DOC_SECTIONS:
        assert doc.sections[section].strip(), f"{name}: {section!r} is empty"
    assert module.RULE.title.strip()


@pytest.mark.parametrize("name", RULE_MODULES)
def test_it_names_each_module_after_its_id_with_a_known_severity(name):
    rule = importlib.import_module(f"auditor.engine.rules.{name}").RULE
    assert _module_name(rule.id) == name
    assert re.fullmatch(r"[a-z]+/[a-z0-9]+(-[a-z0-9]+)*", rule.id)
    assert rule.severity in {"error", "warning", "info"}


def test_it_keeps_the_registry_sorted_unique_and_complete():
    ids = [rule.id for rule in all_rules()]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids) == len(RULE_MODULES) == len(rule_modules())
    on_disk = {path.stem for path in RULES_DIR.glob("*.py") if not path.stem.startswith("_")} - NOT_RULES
    assert sorted(on_disk - set(RULE_MODULES)) == [], "rule modules on disk but not in RULE_MODULES"
    assert sorted(set(RULE_MODULES) - on_disk) == [], "names in RULE_MODULES without a module"


@pytest.mark.parametrize(("rule_id", "severity"), sorted(REQUIRED.items()))
def test_it_registers_every_rule_of_the_spec_with_its_severity(rule_id, severity):
    registered = {rule.id: rule.severity for rule in all_rules()}
    assert rule_id in registered, f"{rule_id} is not registered"
    assert registered[rule_id] == severity


@pytest.mark.parametrize("name", RULE_MODULES)
def test_it_has_flagged_and_clean_cases_for_every_rule(name):
    rule = importlib.import_module(f"auditor.engine.rules.{name}").RULE
    case_module = importlib.import_module(f"tests.engine.rules.test_{name}")
    assert rule.id == case_module.RULE_ID
    flagged, clean = getattr(case_module, "FLAGGED", None), getattr(case_module, "CLEAN", None)
    assert isinstance(flagged, list) and flagged, f"test_{name} has no FLAGGED cases"
    assert isinstance(clean, list) and clean, f"test_{name} has no CLEAN cases"
    assert all(isinstance(case, Case) and case.expected for case in flagged)
    assert all(isinstance(case, Case) and not case.expected for case in clean)
    assert len({case.name for case in flagged + clean}) == len(flagged) + len(clean)


def test_it_keeps_docs_rules_md_current():
    assert RULES_DOC.is_file(), f"{RULES_DOC} is missing: run `{REGENERATE}` and commit it"
    assert RULES_DOC.read_text(encoding="utf-8") == render(), (
        f"docs/rules.md is out of date with the rule registry: run `{REGENERATE}` and commit the result"
    )


def test_it_lists_every_rule_with_its_sections_in_the_reference():
    text = render()
    for rule in all_rules():
        assert f"\n## {rule.id}\n" in text
        assert f"| [`{rule.id}`](#{rule.id.replace('/', '')}) | {rule.severity} |" in text
    assert text.count("### What it flags") == text.count("### Fix") == len(all_rules())


def test_it_writes_the_reference_from_the_command_line(tmp_path):
    target = tmp_path / "nested" / "rules.md"
    done = subprocess.run([sys.executable, "-m", "auditor.engine.ruledocs", str(target)], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert target.read_text(encoding="utf-8") == render()


def test_it_refuses_a_reference_command_without_exactly_one_output(capsys):
    assert ruledocs_main([]) == 2
    assert ruledocs_main(["a.md", "b.md"]) == 2
    assert "usage: python -m auditor.engine.ruledocs OUTPUT.md" in capsys.readouterr().err
