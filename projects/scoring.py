"""The health score shown for each audit: the engine's, whose one formula lives in auditor.engine.score."""

from __future__ import annotations

from typing import Any

from auditor.engine.score import FORMULA as HEALTH_FORMULA
from auditor.engine.score import ScoredFinding, compute_score

__all__ = ["HEALTH_FORMULA", "health_score"]


def health_score(report: dict[str, Any]) -> int:
    """The report's own score; for a report without one, the same formula over its findings."""
    score = report.get("score")
    if isinstance(score, dict) and isinstance(score.get("total"), int | float):
        return max(0, min(100, round(score["total"])))
    findings = (
        ScoredFinding(str(f["rule"]), str(f["severity"]), bool(f.get("suppressed")))
        for f in report.get("findings", [])
    )
    return int(compute_score(findings)["total"])  # type: ignore[call-overload]
