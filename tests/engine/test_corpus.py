"""The engine on eight small Convex projects in the shapes real apps take (tests/corpus/).

Each project's expected.json lists its exact findings, reviewed by hand; any difference fails
with a readable diff. Projects are copied out of this repository first, so that the audited
folder is not inside a git work tree (repository rules read `git ls-files`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.engine import ParseCache, audit_path

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PROJECTS = sorted(path.name for path in CORPUS.iterdir() if (path / "expected.json").is_file())


def audited_findings(project: str, tmp_path: Path) -> list[dict[str, object]]:
    copy = tmp_path / project
    shutil.copytree(CORPUS / project, copy, ignore=shutil.ignore_patterns("expected.json"))
    report = audit_path(copy, cache=ParseCache())
    return sorted(
        ({"rule": f.rule, "path": f.loc.path, "line": f.loc.line} for f in report.active_findings),
        key=lambda row: (str(row["path"]), int(row["line"]), str(row["rule"])),  # type: ignore[call-overload]
    )


def test_it_has_at_least_eight_projects() -> None:
    assert len(PROJECTS) >= 8


@pytest.mark.parametrize("project", PROJECTS)
def test_it_reports_exactly_the_expected_findings(project: str, tmp_path: Path) -> None:
    expected = json.loads((CORPUS / project / "expected.json").read_text())["findings"]
    actual = audited_findings(project, tmp_path)
    expected_rows = {(row["rule"], row["path"], row["line"]) for row in expected}
    actual_rows = {(row["rule"], row["path"], row["line"]) for row in actual}
    missing = sorted(expected_rows - actual_rows)
    unexpected = sorted(actual_rows - expected_rows)
    lines = [f"  missing    {rule} at {path}:{line}" for rule, path, line in missing]
    lines += [f"  unexpected {rule} at {path}:{line}" for rule, path, line in unexpected]
    assert not lines, f"{project}: the engine's findings differ from expected.json\n" + "\n".join(lines)
    assert len(actual) == len(expected), f"{project}: the same finding is reported a different number of times"
