"""Rewrite a corpus project's expected.json from the engine's current report, for review.

    python tests/corpus/regenerate.py nextjs-notes [more names]
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from auditor.engine import ParseCache, audit_path

CORPUS = Path(__file__).resolve().parent


def regenerate(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / name
        shutil.copytree(CORPUS / name, copy, ignore=shutil.ignore_patterns("expected.json"))
        report = audit_path(copy, cache=ParseCache())
        rows = sorted(
            ({"rule": f.rule, "path": f.loc.path, "line": f.loc.line, "message": f.message}
             for f in report.active_findings),
            key=lambda row: (row["path"], row["line"], row["rule"]),
        )
    (CORPUS / name / "expected.json").write_text(json.dumps({"findings": rows}, indent=2) + "\n")
    print(f"{name}: {len(rows)} findings")


if __name__ == "__main__":
    for project in sys.argv[1:] or sorted(p.name for p in CORPUS.iterdir() if p.is_dir()):
        regenerate(project)
