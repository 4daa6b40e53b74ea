"""The health score: 0 to 100 per audit, written once here and shown by the CLI, JSON and web.

Each unsuppressed finding deducts points by its severity (error 10, warning 4, info 1). A rule's
deduction is capped (error 25, warning 10, info 3), so one noisy rule cannot sink a project. Each
rule's capped deduction is multiplied by its category's weight (security, auth and cors weigh
1.5; perf and validators 0.75; arch, crons, client and engine 0.5; the rest 1.0) and
subtracted from 100; the total never goes below 0. A category's sub-score is 100 minus the sum
of its rules' capped deductions, unweighted, never below 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

SEVERITY_POINTS = {"error": 10, "warning": 4, "info": 1}
RULE_CAP = {"error": 25, "warning": 10, "info": 3}
CATEGORY_WEIGHTS = {
    "security": 1.5, "auth": 1.5, "cors": 1.5,
    "functions": 1.0, "scheduler": 1.0, "schema": 1.0, "http": 1.0, "storage": 1.0, "frontend": 1.0,
    "correctness": 1.0, "runtime": 1.0, "config": 1.0,
    "perf": 0.75, "validators": 0.75,
    "arch": 0.5, "crons": 0.5, "client": 0.5, "engine": 0.5,
}
DEFAULT_WEIGHT = 1.0
FORMULA = (
    "score = max(0, 100 - Σ over rules of weight(category) * min(cap(severity), findings * points(severity))); "
    "points: error 10, warning 4, info 1; caps per rule: error 25, warning 10, info 3; "
    "weights: security/auth/cors 1.5, perf/validators 0.75, arch/crons/client/engine 0.5, others 1.0; "
    "suppressed findings do not count."
)


@dataclass(frozen=True, slots=True)
class ScoredFinding:
    rule: str
    severity: str
    suppressed: bool = False


def category_of(rule_id: str) -> str:
    return rule_id.split("/", 1)[0]


def compute_score(findings: Iterable[ScoredFinding]) -> dict[str, object]:
    counts: Counter[tuple[str, str]] = Counter(
        (f.rule, f.severity) for f in findings if not f.suppressed
    )
    rules: dict[str, dict[str, object]] = {}
    category_deduction: dict[str, float] = defaultdict(float)
    weighted_total = 0.0
    for (rule, severity), count in sorted(counts.items()):
        deduction = min(RULE_CAP[severity], count * SEVERITY_POINTS[severity])
        category = category_of(rule)
        weight = CATEGORY_WEIGHTS.get(category, DEFAULT_WEIGHT)
        weighted_total += weight * deduction
        category_deduction[category] += deduction
        previous = rules.get(rule)
        # A severity override can split one rule's findings across severities; add both parts.
        rules[rule] = {
            "findings": count + (int(previous["findings"]) if previous else 0),  # type: ignore[call-overload]
            "deduction": deduction + (float(previous["deduction"]) if previous else 0),  # type: ignore[arg-type]
            "weight": weight,
        }
    categories = {
        category: {
            "weight": CATEGORY_WEIGHTS.get(category, DEFAULT_WEIGHT),
            "deduction": round(deduction, 2),
            "score": max(0, round(100 - deduction)),
        }
        for category, deduction in sorted(category_deduction.items())
    }
    return {
        "total": max(0, round(100 - weighted_total)),
        "categories": categories,
        "rules": rules,
        "formula": FORMULA,
    }
