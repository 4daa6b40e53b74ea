"""Rendering a report: JSON for machines, SARIF 2.1.0 for code scanning, text for people."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from auditor.engine.compat import REPORT_VERSION
from auditor.engine.inventory import build_inventory
from auditor.engine.rules import all_rules, rule_docs
from auditor.engine.rules.base import Finding

if TYPE_CHECKING:
    from auditor.engine.audit import Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME = "Convex Auditor"
TOOL_VERSION = "0.1.0"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def finding_dict(finding: Finding) -> dict[str, Any]:
    loc = finding.loc
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "category": finding.rule.split("/", 1)[0],
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "message": finding.message,
        "fingerprint": finding.fingerprint,
        "suppressed": finding.suppressed,
        "suppression": finding.suppression,
        "function": finding.function,
        "snippet": finding.snippet,
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "format": {"name": "convex-auditor-report", "version": REPORT_VERSION},
        "findings": [finding_dict(f) for f in report.findings],
        "inventory": build_inventory(report.project),
        "stats": report.stats,
        "score": report.score,
    }


def sarif_driver_rules() -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The registry as SARIF rule descriptors, with help from the docstrings, and each id's index."""
    rules = list(all_rules())
    docs = rule_docs()
    driver_rules = []
    for rule in rules:
        doc = docs[rule.id]
        markdown = (f"**What it flags.** {doc.what}\n\n**Why it matters.** {doc.why}\n\n"
                    f"**Example.**\n\n```ts\n{doc.example}\n```\n\n**Fix.** {doc.fix}")
        driver_rules.append({
            "id": rule.id,
            "name": rule.id.replace("/", "-"),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": doc.what or rule.title},
            "help": {"text": f"{doc.what}\n\nWhy: {doc.why}\n\nFix: {doc.fix}", "markdown": markdown},
            "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity]},
            "properties": {"category": rule.category, "tags": [rule.category]},
        })
    return driver_rules, {rule.id: position for position, rule in enumerate(rules)}


def sarif_result(finding: dict[str, Any], rule_index: dict[str, int]) -> dict[str, Any]:
    """One result from a finding in the JSON report's shape (``finding_dict``, or a stored row)."""
    line = max(int(finding["line"]), 1)
    column = int(finding["column"])
    end_line = max(int(finding["end_line"]), line)
    end_column = int(finding["end_column"])
    result: dict[str, Any] = {
        "ruleId": finding["rule"],
        "level": SARIF_LEVELS.get(finding["severity"], "note"),
        "message": {"text": finding["message"]},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": quote(finding["path"]), "uriBaseId": "%SRCROOT%"},
                # SARIF columns are 1-based; the engine's are 0-based like ESTree's. A one-line
                # region is at least one character wide.
                "region": {"startLine": line, "startColumn": column + 1, "endLine": end_line,
                           "endColumn": max(end_column + 1, column + 2) if end_line <= line else end_column + 1},
            },
        }],
        "partialFingerprints": {"convexAuditor/v1": finding["fingerprint"]},
    }
    if finding["rule"] in rule_index:
        result["ruleIndex"] = rule_index[finding["rule"]]
    if finding["suppressed"]:
        justification = finding.get("suppression") or ""
        kind = "inSource" if justification.startswith("comment") else "external"
        result["suppressions"] = [{"kind": kind, "justification": justification}]
    return result


def sarif_log(results: list[dict[str, Any]], driver_rules: list[dict[str, Any]], **run: Any) -> dict[str, Any]:
    """A SARIF 2.1.0 log of one run; ``run`` adds run properties such as originalUriBaseIds."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL_NAME, "version": TOOL_VERSION, "semanticVersion": TOOL_VERSION,
                                "informationUri": "https://github.com/convex-auditor/convex-auditor",
                                "rules": driver_rules}},
            **run,
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }


def sarif_dict(report: Report) -> dict[str, Any]:
    driver_rules, index = sarif_driver_rules()
    results = [sarif_result(finding_dict(finding), index) for finding in report.findings]
    # A percent-encoded file URI (spaces and the like) ending with "/", as SARIF requires.
    root = {"%SRCROOT%": {"uri": Path(os.path.abspath(report.root)).as_uri().rstrip("/") + "/"}}
    return sarif_log(results, driver_rules, originalUriBaseIds=root)


_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "dim": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"


def text_report(report: Report, *, color: bool = False) -> str:
    def paint(text: str, style: str) -> str:
        return f"{_COLORS[style]}{text}{_RESET}" if color else text

    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.active_findings:
        by_file[finding.loc.path].append(finding)
    lines: list[str] = []
    for path in sorted(by_file):
        lines.append(paint(path, "bold"))
        for finding in by_file[path]:
            position = f"{finding.loc.line}:{finding.loc.column + 1}"
            lines.append(f"  {position:>8}  {paint(f'{finding.severity:<7}', finding.severity)}  "
                         f"{finding.message}  {paint(finding.rule, 'dim')}")
        lines.append("")
    counts = Counter(f.severity for f in report.active_findings)
    suppressed = len(report.findings) - len(report.active_findings)
    stats = report.stats
    summary = (f"{sum(counts.values())} findings ({counts['error']} errors, {counts['warning']} warnings, "
               f"{counts['info']} info), {suppressed} suppressed; {stats['parsed']} files parsed, "
               f"{stats['parse_errors']} parse errors, {len(stats['skipped'])} skipped "  # type: ignore[arg-type]
               f"in {stats['seconds']}s; health score {report.score['total']}/100")
    lines.append(paint(summary, "bold"))
    return "\n".join(lines) + "\n"
