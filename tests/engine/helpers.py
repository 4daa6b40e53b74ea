"""Shared helpers for engine tests: write a small Convex project to disk, audit it, pick findings.

A project is a dict {relative path: source}. Rule tests compare (rule id, path, line) triples,
never fingerprints, so a test states exactly which lines a rule must flag.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from auditor.engine.audit import ParseCache, Report, audit_path
from auditor.engine.model import ProjectFacts

Project = dict[str, str]


def write_project(root: Path, files: Project) -> Path:
    """Write each file (dedented) under root; a convex/ folder is always created."""
    (root / "convex").mkdir(parents=True, exist_ok=True)
    for relative, source in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return root


def audit_project(root: Path, files: Project) -> Report:
    write_project(root, files)
    return audit_path(root, cache=ParseCache())


def project_facts(root: Path, files: Project) -> ProjectFacts:
    return audit_project(root, files).project


def findings_of(report: Report, rule_id: str) -> list[tuple[str, str, int]]:
    """(rule id, path, line) of every unsuppressed finding of one rule, sorted."""
    return sorted((f.rule, f.loc.path, f.loc.line) for f in report.active_findings if f.rule == rule_id)


def rule_findings(root: Path, files: Project, rule_id: str) -> list[tuple[str, str, int]]:
    return findings_of(audit_project(root, files), rule_id)


def line_of(files: Project, path: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line containing needle in a (dedented) file of the project."""
    seen = 0
    for number, line in enumerate(textwrap.dedent(files[path]).lstrip("\n").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


# ESLint-style rule tests ---------------------------------------------------------------------
#
# Convention (checked by tests/engine/test_registry.py): the test module of every rule,
# tests/engine/rules/test_<rule module>.py, defines RULE_ID and two non-empty lists of Case:
# FLAGGED (each expects at least one finding) and CLEAN (each expects none of that rule), and
# runs them with ``check_case`` (parametrised, ids = case names).


@dataclass(frozen=True)
class Case:
    """A small project and the (path, line) pairs one rule must report in it; none for a clean case."""

    name: str
    files: Project
    expected: tuple[tuple[str, int], ...] = ()


def flagged(name: str, files: Project, *spots: tuple[str, str] | tuple[str, str, int]) -> Case:
    """A flagged case; each spot is (path, needle[, occurrence]) naming the line of a finding."""
    lines = tuple((spot[0], line_of(files, spot[0], spot[1], *spot[2:])) for spot in spots)
    if not lines:
        raise ValueError(f"flagged case {name!r} names no finding")
    return Case(name, files, lines)


def clean(name: str, files: Project) -> Case:
    return Case(name, files)


def check_case(root: Path, rule_id: str, case: Case) -> None:
    found = rule_findings(root, case.files, rule_id)
    assert found == sorted((rule_id, path, line) for path, line in case.expected), case.name


def write_config_keeping(root: Path, *rule_ids: str) -> Path:
    """A convex-audit.toml at root that disables every registered rule but the given ones.

    For tests of the command line and the reports that count findings across rules: rules added
    later then show up only as suppressed findings, never change exit codes or active counts.
    """
    from auditor.engine.rules import all_rules

    others = sorted(rule.id for rule in all_rules() if rule.id not in rule_ids)
    config = root / "convex-audit.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("disable = [\n" + "".join(f'  "{rule_id}",\n' for rule_id in others) + "]\n", encoding="utf-8")
    return config


# Pairs of versions, for the compat/* rules -------------------------------------------------------


@dataclass(frozen=True)
class ChangeCase(Case):
    """A project before and after a change; ``files`` is the later version, where findings are."""

    before: Project = field(default_factory=dict)


def flagged_change(name: str, before: Project, after: Project, *spots: tuple[str, str]) -> ChangeCase:
    case = flagged(name, after, *spots)
    return ChangeCase(case.name, case.files, case.expected, before=before)


def clean_change(name: str, before: Project, after: Project) -> ChangeCase:
    return ChangeCase(name, after, before=before)


def audit_change(root: Path, before: Project, after: Project) -> Report:
    """Audit ``before``, then ``after`` with the first audit's JSON report (as written to disk) as baseline."""
    previous = audit_project(root / "before", before).to_dict()
    baseline = json.loads(json.dumps(previous))
    write_project(root / "after", after)
    return audit_path(root / "after", cache=ParseCache(), baseline=baseline)


def check_change_case(root: Path, rule_id: str, case: Case) -> None:
    assert isinstance(case, ChangeCase)
    found = findings_of(audit_change(root, case.before, case.files), rule_id)
    assert found == sorted((rule_id, path, line) for path, line in case.expected), case.name
