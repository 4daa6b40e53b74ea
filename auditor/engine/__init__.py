"""The Convex Auditor engine: a pure library (no Django, no Celery) that audits a Convex project.

    from auditor.engine import audit_path
    report = audit_path("path/to/repo")
    report.to_dict()   # findings, inventory, stats
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.engine.errors import EngineUsageError

if TYPE_CHECKING:
    from auditor.engine.audit import ParseCache, Report, audit_path

__all__ = ["EngineUsageError", "ParseCache", "Report", "audit_path"]
_FROM_AUDIT = frozenset({"ParseCache", "Report", "audit_path"})


def __getattr__(name: str) -> Any:
    # Loaded on first use: `convex-audit` finding its stored report (reportcache) needs none of it.
    if name in _FROM_AUDIT:
        from auditor.engine import audit

        return getattr(audit, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
