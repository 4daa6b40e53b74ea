"""The Convex Auditor engine: a pure library (no Django, no Celery) that audits a Convex project.

    from auditor.engine import audit_path
    report = audit_path("path/to/repo")
    report.to_dict()   # findings, inventory, stats
"""

from auditor.engine.audit import ParseCache, Report, audit_path
from auditor.engine.errors import EngineUsageError

__all__ = ["EngineUsageError", "ParseCache", "Report", "audit_path"]
