"""Shared helpers for engine tests: write a small Convex project to disk, audit it, pick findings.

A project is a dict {relative path: source}. Rule tests compare (rule id, path, line) triples,
never fingerprints, so a test states exactly which lines a rule must flag.
"""

from __future__ import annotations

import textwrap
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
