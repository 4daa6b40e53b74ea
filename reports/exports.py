"""An audit's findings as JSON, CSV and SARIF 2.1.0, rebuilt from what the database stores.

Each finding has the one shape of `Finding.as_dict` plus its effective state (triage.state).
The SARIF run has the engine's shape (auditor.engine.report.sarif_dict): the same driver, rule
help from the rule docstrings, 1-based columns and the fingerprint as a partial fingerprint.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from auditor.engine.report import sarif_driver_rules, sarif_log, sarif_result
from projects.models import Audit, Finding, InventorySnapshot
from triage import state as finding_state

STATE_COLUMNS = ("dismissed_kind", "dismissed_by", "dismissed_at", "dismissed_comment", "ignore_rule",
                 "justification")
CSV_COLUMNS = (*Finding.REPORT_FIELDS, "status", "state", *STATE_COLUMNS, "url")


def findings_of(audit: Audit):
    return Finding.objects.filter(audit_id=audit.result.pk).order_by("-severity_rank", "path", "line", "column", "id")


def finding_json(finding: Finding, effective: finding_state.Effective, url: str | None = None) -> dict[str, Any]:
    """The one shape of a finding outside the database: the API and the JSON export."""
    return {**finding.as_dict(), **effective.as_dict(), "url": url}


def _csv_row(finding: Finding, effective: finding_state.Effective, url: str | None) -> list[Any]:
    data = finding.as_dict()
    data["suppressed"] = "yes" if finding.suppressed else "no"
    data["suppression"] = finding_state.suppression_text(finding.suppression)
    rule = effective.ignore_rule
    extra = {
        "dismissed_kind": effective.kind,
        "dismissed_by": effective.by,
        "dismissed_at": effective.at.isoformat() if effective.at else "",
        "dismissed_comment": effective.comment,
        "ignore_rule": f"{rule.rule} in {rule.path_glob}" if rule is not None else "",
        "justification": effective.justification,
        "url": url or "",
    }
    return [data[name] if name in data else extra[name] for name in CSV_COLUMNS]


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
    book = finding_state.book_for(audit.repository_id)
    findings = [
        finding_json(f, book.explain(f), repository.file_url(audit.commit_sha, f.path, f.line or None))
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
    book = finding_state.book_for(audit.repository_id)
    for f in findings_of(audit).iterator(chunk_size=2000):
        url = repository.file_url(audit.commit_sha, f.path, f.line or None)
        yield writer.writerow(_csv_row(f, book.explain(f), url))


def sarif_finding(finding: Finding, effective: finding_state.Effective, index: dict[str, int]) -> dict[str, Any]:
    """One SARIF result; a dismissed or ignored finding carries an external suppression with its
    justification, so code scanning shows it as dismissed too."""
    data = finding.as_dict()
    data["suppression"] = finding_state.suppression_text(finding.suppression)
    result = sarif_result(data, index)
    if effective.state in (Finding.State.DISMISSED, Finding.State.IGNORED):
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": effective.justification}
        ]
    return result


def export_sarif(audit: Audit) -> dict[str, Any]:
    driver_rules, index = sarif_driver_rules()
    book = finding_state.book_for(audit.repository_id)
    results = [sarif_finding(f, book.explain(f), index) for f in findings_of(audit).iterator(chunk_size=2000)]
    run: dict[str, Any] = {}
    if audit.repository.web_url and audit.commit_sha:
        run["versionControlProvenance"] = [
            {"repositoryUri": audit.repository.web_url, "revisionId": audit.commit_sha, "branch": audit.branch}
        ]
    return sarif_log(results, driver_rules, **run)
