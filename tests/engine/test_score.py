"""The health score, checked against totals worked out by hand from the formula."""

from __future__ import annotations

from auditor.engine.score import ScoredFinding, compute_score


def scored(*items: tuple[str, str, int]) -> list[ScoredFinding]:
    return [ScoredFinding(rule, severity) for rule, severity, count in items for _ in range(count)]


def test_it_scores_a_clean_project_100() -> None:
    assert compute_score([])["total"] == 100


def test_it_weights_a_deduction_by_category() -> None:
    # cors weighs 1.5: 100 - 1.5 x 10 = 85. perf weighs 0.75: 100 - 0.75 x 4 = 97.
    assert compute_score(scored(("cors/missing-headers", "error", 1)))["total"] == 85
    assert compute_score(scored(("perf/date-now-in-query", "warning", 1)))["total"] == 97


def test_it_caps_each_rules_deduction() -> None:
    # 40 unindexed-filter warnings: min(10, 160) x 1.0 = 10 -> 90, not 0.
    score = compute_score(scored(("schema/unindexed-filter", "warning", 40)))
    assert score["total"] == 90
    assert score["rules"]["schema/unindexed-filter"] == {"findings": 40, "deduction": 10, "weight": 1.0}


def test_it_adds_rules_and_reports_category_subscores() -> None:
    # functions/query-writes-db 2 errors: min(25, 20) x 1.0 = 20
    # functions/old-syntax 1 warning: 4 x 1.0 = 4
    # security/hardcoded-secret 3 errors: min(25, 30) x 1.5 = 37.5
    # total: 100 - 61.5 = 38.5 -> 38 (round half to even); functions sub-score 100 - 24 = 76.
    score = compute_score(scored(
        ("functions/query-writes-db", "error", 2),
        ("functions/old-syntax", "warning", 1),
        ("security/hardcoded-secret", "error", 3),
    ))
    assert score["total"] == 38
    assert score["categories"]["functions"] == {"weight": 1.0, "deduction": 24, "score": 76}
    assert score["categories"]["security"] == {"weight": 1.5, "deduction": 25, "score": 75}


def test_it_ignores_suppressed_findings_and_never_goes_below_zero() -> None:
    suppressed = [ScoredFinding("cors/missing-headers", "error", suppressed=True)] * 5
    assert compute_score(suppressed)["total"] == 100
    many = scored(*[(f"security/rule-{n}", "error", 3) for n in range(10)])
    assert compute_score(many)["total"] == 0
