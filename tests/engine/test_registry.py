"""The rule registry: documented modules, ids and severities exactly as RULES.md, tests for each rule."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from auditor.engine.rules import RULE_MODULES, all_rules, rule_modules
from auditor.engine.rules.base import DOC_SECTIONS, RuleInfo, parse_doc
from tests.engine.helpers import Case

REPO_ROOT = Path(__file__).resolve().parents[2]
# shared/ lies beside the repository: /work/shared next to /work/main here, and beside CI's clone.
RULES_MD = REPO_ROOT / ".." / "shared" / "RULES.md"
RULES_DIR = REPO_ROOT / "auditor" / "engine" / "rules"
NOT_RULES = {"__init__", "base"}


def _rules_md_blocks() -> dict[str, dict[str, str]]:
    """{"Block 1": {id: severity}, "Block 2": {...}} from the tables of RULES.md."""
    text = RULES_MD.read_text(encoding="utf-8")
    blocks: dict[str, dict[str, str]] = {}
    for heading, body in re.findall(r"^## (Block \d+)[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        rows = re.findall(r"^\|\s*`([a-z]+/[a-z0-9-]+)`\s*\|\s*(error|warning|info)\s*\|", body, re.M)
        blocks[heading] = dict(rows)
    return blocks


def _module_name(rule_id: str) -> str:
    return rule_id.replace("/", "_").replace("-", "_")


BLOCKS = _rules_md_blocks() if RULES_MD.is_file() else {}
REQUIRED = {**BLOCKS.get("Block 1", {}), **BLOCKS.get("Block 2", {})}


def test_it_finds_rules_md_beside_the_repository():
    assert RULES_MD.is_file(), f"{RULES_MD.resolve()} is missing"
    assert len(BLOCKS.get("Block 1", {})) == 15
    assert len(BLOCKS.get("Block 2", {})) == 10


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
def test_it_registers_every_rule_of_blocks_1_and_2_with_its_severity(rule_id, severity):
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
