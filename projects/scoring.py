"""The health score shown for each audit."""

from __future__ import annotations

from typing import Any

ERROR_WEIGHT = 10
WARNING_WEIGHT = 3
INFO_WEIGHT = 1

HEALTH_FORMULA = (
    f"100 - {ERROR_WEIGHT} x errors - {WARNING_WEIGHT} x warnings - {INFO_WEIGHT} x info findings, "
    "never below 0 (suppressed findings don't count). When the engine reports its own score, that is used."
)


def health_score(errors: int, warnings: int, infos: int, engine_score: dict[str, Any] | None = None) -> int:
    if engine_score and isinstance(engine_score.get("total"), int | float):
        return max(0, min(100, round(engine_score["total"])))
    return max(0, 100 - ERROR_WEIGHT * errors - WARNING_WEIGHT * warnings - INFO_WEIGHT * infos)
