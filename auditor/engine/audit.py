"""Running an audit: discover, parse (cached), extract, link, check, suppress, fingerprint."""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.engine.aliases import read_import_aliases
from auditor.engine.compat import Inventory, load_baseline
from auditor.engine.config import AuditConfig, load_config, parse_config, with_profile
from auditor.engine.convexexports import detect_convex_exports
from auditor.engine.datafiles import read_data_files
from auditor.engine.discovery import Discovery, discover
from auditor.engine.factcache import ParseCache
from auditor.engine.generated import check_generated
from auditor.engine.link import link_project
from auditor.engine.model import SEVERITY_ORDER, ModuleFacts, ParseFailure, ProjectFacts
from auditor.engine.reading import INTERNAL_ERROR as INTERNAL_ERROR  # tests and callers name it here
from auditor.engine.reading import read_files, reread_imported_frontend
from auditor.engine.repofiles import repository_files
from auditor.engine.rules import Finding, all_rules, rule_modules
from auditor.engine.score import ScoredFinding, compute_score
from auditor.engine.stackroom import with_stack_room
from auditor.engine.versions import MIN_VERSIONS, detect_convex_version, rule_allowed

SUPPRESSION_COMMENT = re.compile(
    r"convex-audit-ignore-next-line\s+(?P<rules>[\w\-/*]+(?:\s*,\s*[\w\-/*]+)*)(?:\s+--\s*(?P<reason>.*?))?\s*(?:\*/\s*\}?)?\s*$"
)


@dataclass(slots=True)
class Report:
    root: str
    project: ProjectFacts
    findings: list[Finding]
    stats: dict[str, object] = field(default_factory=dict)

    @property
    def score(self) -> dict[str, object]:
        return compute_score(ScoredFinding(f.rule, f.severity, f.suppressed) for f in self.findings)

    @property
    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    def exit_code(self, fail_on: str) -> int:
        if fail_on == "never":
            return 0
        threshold = SEVERITY_ORDER[fail_on]
        return 1 if any(SEVERITY_ORDER[f.severity] >= threshold for f in self.active_findings) else 0

    def to_dict(self) -> dict[str, object]:
        from auditor.engine.report import report_dict

        return report_dict(self)

    def to_sarif(self) -> dict[str, object]:
        from auditor.engine.report import sarif_dict

        return sarif_dict(self)

    def to_text(self, *, color: bool = False) -> str:
        from auditor.engine.report import text_report

        return text_report(self, color=color)


_default_cache = ParseCache()


def audit_path(root: str | Path, *, convex_dir: str | None = None, config_file: str | Path | None = None,
               cache: ParseCache | None = None,
               baseline: Inventory | Mapping[str, Any] | str | Path | None = None,
               profile: Mapping[str, object] | None = None,
               config_text: str | None = None, config_source: str | None = None,
               leave_out: Iterable[str | Path] = ()) -> Report:
    """Audit the repository checked out at ``root``. Raises EngineUsageError when it cannot start.

    ``baseline`` is the previous audit to compare with (its JSON report, parsed or as a path, or an
    Inventory); the ``compat/*`` rules run only when one is given. A baseline that cannot be read
    raises BaselineError (an EngineUsageError) before any work is done. ``profile``: rules to
    disable and severities to change, laid over ``convex-audit.toml`` (see ``config.with_profile``).
    ``config_text``: a ``convex-audit.toml``'s text used instead of any file ("" for none), named
    ``config_source``; a dashboard judging a change someone outside the project wrote (a pull
    request from a fork) takes the configuration from the base, not from the change.
    ``leave_out``: files of the caller's own that may lie inside the root (``convex-audit -o
    report.json``), never read as the project's: a report would otherwise be audited as a data
    file the next time."""
    # esprima's recursive descent and the walks run deep: see stackroom.
    return with_stack_room(_audit, root, convex_dir=convex_dir, config_file=config_file, cache=cache,
                           baseline=baseline, profile=profile, config_text=config_text,
                           config_source=config_source, leave_out=leave_out)


def _audit(root: str | Path, *, convex_dir: str | None, config_file: str | Path | None, cache: ParseCache | None,
           baseline: Inventory | Mapping[str, Any] | str | Path | None, profile: Mapping[str, object] | None,
           config_text: str | None, config_source: str | None, leave_out: Iterable[str | Path]) -> Report:
    started = time.perf_counter()
    previous = load_baseline(baseline) if baseline is not None else None
    cache = _default_cache if cache is None else cache
    hits, misses = cache.hits, cache.misses
    root_path = Path(root)
    found = discover(root_path, convex_dir, leave_out=leave_out)
    known_rules = {r.id for r in all_rules()}
    if config_text is not None:
        loaded = parse_config(config_text, config_source, known_rules)
    else:
        loaded = load_config(found.root, Path(config_file) if config_file else None, known_rules)
    config = with_profile(loaded, profile, known_rules)
    modules: list[ModuleFacts] = []
    failures: list[ParseFailure] = []
    skipped = list(found.skipped)
    aliases = read_import_aliases(found.root)
    source_files = [*found.convex_files, *found.frontend_files]
    entries = read_files(source_files, cache, skipped, aliases)
    light_paths: set[str] = set()
    frontend_by_path: dict[str, ModuleFacts] = {}
    for source_file in source_files:
        entry = entries.get(source_file.path)
        if entry is None:
            continue
        if entry.failure is not None:
            failures.append(entry.failure)
        elif entry.facts is not None and source_file.in_convex:
            modules.append(entry.facts)
        elif entry.facts is not None:
            frontend_by_path[source_file.path] = entry.facts
            if entry.light:
                light_paths.add(source_file.path)
    if light_paths:
        reread_imported_frontend(str(found.root), found.convex_dir, modules, frontend_by_path, light_paths,
                                 {f.path: f for f in found.frontend_files}, cache, aliases)
    frontend = list(frontend_by_path.values())
    project = link_project(str(found.root), found.convex_dir, modules, frontend, failures, skipped, aliases)
    project.baseline = previous
    project.generated_files = found.generated_files
    rule_errors: list[dict[str, str]] = []
    _repository_facts(project, found, skipped, rule_errors)
    findings = _check(project, config, rule_errors)
    lines = SourceLines({**{m.path: m.source for m in [*modules, *frontend]},
                         **{d.path: d.source for d in project.data_files}})
    _apply_suppressions(findings, lines, config)
    findings.sort(key=lambda f: (f.loc.path, f.loc.line, f.loc.column, f.rule))
    _fingerprint(findings, lines)
    files = len(found.convex_files) + len(found.frontend_files) + len(found.skipped)
    stats: dict[str, object] = {
        "files": files,
        "parsed": len(modules) + len(frontend),
        "parse_errors": len(failures),
        "skipped": skipped,
        "seconds": round(time.perf_counter() - started, 3),
        "convex_dir": found.convex_dir,
        "convex_dir_source": found.convex_dir_source,
        "convex_files": len(found.convex_files),
        "frontend_files": len(found.frontend_files),
        "suppressed": sum(1 for f in findings if f.suppressed),
        "config": config.source,
        "versions": _version_stats(project, config),
        "rule_errors": rule_errors,
        "baseline": previous is not None,
        "cache": {"dir": str(cache.folder or "") or None, "hits": cache.hits - hits, "misses": cache.misses - misses,
                  "disk_error": cache.disk_error},
    }
    return Report(root=str(found.root), project=project, findings=findings, stats=stats)


def _repository_facts(project: ProjectFacts, found: Discovery, skipped: list[dict[str, str]],
                      errors: list[dict[str, str]]) -> None:
    """Facts read from the repository rather than parsed: Convex version, tracked files, codegen output.

    Each is read on its own; one that fails is left unknown (its rules stay silent) and is listed
    in ``stats["rule_errors"]`` under "engine/repository", never stopping the audit."""
    root, convex_dir = found.root, found.convex_dir
    known = {f.path for f in found.convex_files} | {entry["path"] for entry in skipped}
    steps = (
        ("convex_version", lambda: detect_convex_version(root, convex_dir)),
        ("repository", lambda: repository_files(root)),
        ("data_files", lambda: read_data_files(root, project.repository, found.left_out)),
        ("generated_issues", lambda: check_generated(root, convex_dir, project.generated_files, known)),
        ("convex_exports", lambda: detect_convex_exports(root, convex_dir)),
    )
    for attribute, read in steps:
        try:
            setattr(project, attribute, read())
        except Exception as error:  # a repository quirk loses its own facts, never the audit
            errors.append({"rule": "engine/repository", "error": f"{attribute}: {type(error).__name__}: {error}"[:300]})


def _version_stats(project: ProjectFacts, config: AuditConfig) -> dict[str, object]:
    """The Convex version and the version-aware rules it leaves silent (unknown) or off (too old)."""
    version = project.convex_version
    enabled = [rule for rule in sorted(MIN_VERSIONS) if rule not in config.disabled]
    stats: dict[str, object] = dict(version.as_dict()) if version is not None else {"convex": None}
    stats["silent_rules"] = [rule for rule in enabled if rule_allowed(version, rule) is None]
    stats["below_minimum"] = [rule for rule in enabled if rule_allowed(version, rule) is False]
    return stats


def _check(project: ProjectFacts, config: AuditConfig, rule_errors: list[dict[str, str]]) -> list[Finding]:
    findings: list[Finding] = []
    for module in rule_modules():
        seen: set[tuple[str, int, int]] = set()
        try:
            rule_findings = list(module.check(project))
        except Exception as error:  # a broken rule loses its own findings, never the audit
            rule_errors.append({"rule": module.RULE.id, "error": f"{type(error).__name__}: {error}"[:300]})
            continue
        for finding in rule_findings:
            spot = (finding.loc.path, finding.loc.line, finding.loc.column)
            if spot in seen:
                continue  # one finding per fact: a helper reached from two handlers is reported once
            seen.add(spot)
            findings.append(finding)
    for finding in findings:
        override = config.severity.get(finding.rule)
        if override:
            finding.severity = override  # type: ignore[assignment]
    return findings


class SourceLines(dict[str, list[str]]):
    """The lines of each parsed file, split once on first use; a file not parsed has none."""

    def __init__(self, sources: dict[str, str]) -> None:
        super().__init__()
        self.sources = sources

    def __missing__(self, path: str) -> list[str]:
        lines = self[path] = self.sources.get(path, "").splitlines()
        return lines


def _apply_suppressions(findings: list[Finding], source_lines: SourceLines, config: AuditConfig) -> None:
    for finding in findings:
        if finding.rule in config.disabled:
            finding.suppressed, finding.suppression = True, f"config: rule disabled in {config.source}"
            continue
        glob = config.ignored_by(finding.loc.path)
        if glob is not None:
            finding.suppressed, finding.suppression = True, f"config: path ignored by {glob!r}"
            continue
        if finding.loc.path not in source_lines.sources or finding.loc.line < 2:
            continue
        lines = source_lines[finding.loc.path]
        previous = lines[finding.loc.line - 2] if finding.loc.line - 2 < len(lines) else ""
        match = SUPPRESSION_COMMENT.search(previous)
        if match is None:
            continue
        rules = {r.strip() for r in match.group("rules").split(",")}
        if finding.rule in rules or "*" in rules:
            reason = (match.group("reason") or "").strip() or "no reason given"
            finding.suppressed, finding.suppression = True, f"comment: {reason}"


def _fingerprint(findings: list[Finding], source_lines: SourceLines) -> None:
    """A hash of rule, path, enclosing function and the normalised line: stable when other lines move.

    ``findings`` must already be in report order (path, line, column, rule): repeats of one line
    are numbered in that order."""
    occurrences: Counter[str] = Counter()
    for finding in findings:
        lines = source_lines[finding.loc.path]
        line = lines[finding.loc.line - 1] if 0 < finding.loc.line <= len(lines) else ""
        finding.snippet = line.strip()[:500]
        normalised = " ".join(line.split())
        base = "\x1f".join([finding.rule, finding.loc.path, finding.function or "", normalised])
        occurrences[base] += 1
        digest = hashlib.sha256(f"{base}\x1f{occurrences[base]}".encode()).hexdigest()
        finding.fingerprint = digest[:32]
