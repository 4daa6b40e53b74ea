"""The web side shows the engine's health score and the engine's formula, never a second one."""

from __future__ import annotations

from auditor.engine.score import FORMULA, ScoredFinding, compute_score
from projects.scoring import HEALTH_FORMULA, health_score


def test_it_uses_the_engines_total() -> None:
    score = compute_score([ScoredFinding("cors/missing-headers", "error")])
    assert health_score({"findings": [], "score": score}) == score["total"] == 85


def test_it_scores_a_report_without_a_score_by_the_same_formula() -> None:
    findings = [
        {"rule": "cors/missing-headers", "severity": "error", "suppressed": False},
        {"rule": "schema/unused-index", "severity": "info", "suppressed": True},
    ]
    assert health_score({"findings": findings}) == 85


def test_it_shows_the_engines_formula() -> None:
    assert HEALTH_FORMULA == FORMULA
