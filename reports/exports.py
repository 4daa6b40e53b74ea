"""An audit's findings as JSON, CSV and SARIF 2.1.0, rebuilt from what the database stores.

The SARIF run has the engine's shape (auditor.engine.report.sarif_dict): the same driver, rule
help from the rule docstrings, 1-based columns and the fingerprint as a partial fingerprint.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from auditor.engine.report import sarif_driver_rules, sarif_log, sarif_result
from projects.models import Audit, Finding, InventorySnapshot

CSV_COLUMNS = (
    "rule",
    "severity",
    "category",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "message",
    "function",
    "status",
    "suppressed",
    "suppression",
    "fingerprint",
    "url",
)


def findings_of(audit: Audit):
    return Finding.objects.filter(audit_id=audit.result.pk).order_by("-severity_rank", "path", "line", "column", "id")


def finding_json(finding: Finding, url: str | None = None) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "category": finding.category,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "message": finding.message,
        "function": finding.function,
        "fingerprint": finding.fingerprint,
        "status": finding.status,
        "suppressed": finding.suppressed,
        "suppression": finding.suppression,
        "snippet": finding.snippet,
        "url": url,
    }


def audit_json(audit: Audit) -> dict[str, Any]:
    return {
        "id": audit.pk,
        "repository": {"id": audit.repository_id, "name": audit.repository.name, "url": audit.repository.url},
        "state": audit.state,
        "failure_reason": audit.failure_reason,
        "trigger": audit.trigger,
        "branch": audit.branch,
        "commit": {
            "sha": audit.commit_sha,
            "author": audit.commit_author,
            "message": audit.commit_message,
            "committed_at": audit.committed_at.isoformat() if audit.committed_at else None,
        },
        "reused_from": audit.reused_from_id,
        "created_at": audit.created_at.isoformat(),
        "started_at": audit.started_at.isoformat() if audit.started_at else None,
        "finished_at": audit.finished_at.isoformat() if audit.finished_at else None,
        "counts": audit.summary_counts(),
        "health_score": audit.health_score,
        "stats": audit.stats,
    }


def inventory_json(inventory: InventorySnapshot | None) -> dict[str, Any] | None:
    if inventory is None:
        return None
    return {
        "functions": inventory.functions,
        "http_routes": inventory.http_routes,
        "schema": inventory.schema,
        "index_map": inventory.index_map,
        "crons": inventory.crons,
    }


def export_json(audit: Audit) -> dict[str, Any]:
    repository = audit.repository
    findings = [
        finding_json(f, repository.file_url(audit.commit_sha, f.path, f.line or None))
        for f in findings_of(audit).iterator(chunk_size=2000)
    ]
    inventory = audit.result_inventory()
    return {"audit": audit_json(audit), "findings": findings, "inventory": inventory_json(inventory)}


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv_rows(audit: Audit) -> Iterator[str]:
    """CSV lines, header first; streamed so a large audit never sits in memory as one string."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    repository = audit.repository
    for f in findings_of(audit).iterator(chunk_size=2000):
        url = repository.file_url(audit.commit_sha, f.path, f.line or None) or ""
        yield writer.writerow(
            [
                f.rule,
                f.severity,
                f.category,
                f.path,
                f.line,
                f.column,
                f.end_line,
                f.end_column,
                f.message,
                f.function,
                f.status,
                "yes" if f.suppressed else "no",
                _suppression_text(f.suppression),
                f.fingerprint,
                url,
            ]
        )


def _suppression_text(suppression: Any) -> str:
    if suppression is None:
        return ""
    return suppression if isinstance(suppression, str) else str(suppression)


def export_sarif(audit: Audit) -> dict[str, Any]:
    driver_rules, index = sarif_driver_rules()
    results = [
        sarif_result(
            {
                "rule": f.rule, "severity": f.severity, "message": f.message, "path": f.path,
                "line": f.line, "column": f.column, "end_line": f.end_line, "end_column": f.end_column,
                "fingerprint": f.fingerprint, "suppressed": f.suppressed,
                "suppression": _suppression_text(f.suppression),
            },
            index,
        )
        for f in findings_of(audit).iterator(chunk_size=2000)
    ]
    run: dict[str, Any] = {}
    if audit.repository.web_url and audit.commit_sha:
        run["versionControlProvenance"] = [
            {"repositoryUri": audit.repository.web_url, "revisionId": audit.commit_sha, "branch": audit.branch}
        ]
    return sarif_log(results, driver_rules, **run)
