"""``convex-audit PATH`` (or ``python -m auditor.engine PATH``): audit a checked-out repository."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from auditor.engine import inputs
from auditor.engine.cachedir import default_cache_dir
from auditor.engine.errors import EngineUsageError
from auditor.engine.reportcache import FAIL_ON, SECONDS_MARK, KeptReport, ReportCache, Request
from auditor.engine.reportcache import json_bytes as json_bytes  # tests and callers name it here

if TYPE_CHECKING:
    from auditor.engine.audit import Report
    from auditor.engine.factcache import ParseCache

# The rest of the engine is imported where an audit runs: a second run that finds its stored
# report (reportcache) loads none of it.


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line and exit 2, like every other usage error of this command.
        self.exit(2, f"convex-audit: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="convex-audit", description="Audit a Convex project.")
    parser.add_argument("path", nargs="?", help="root of a checked-out app repository")
    parser.add_argument("--format", choices=["text", "json", "sarif"], default="text")
    parser.add_argument("--fail-on", choices=["error", "warning", "info", "never"], default="error")
    parser.add_argument("--fail-below", type=int, metavar="N", help="exit 1 when the health score is under N")
    parser.add_argument("--config", help="a convex-audit.toml (default: the one at PATH, if any)")
    parser.add_argument("--convex-dir", help="the Convex folder relative to PATH (default: convex.json or convex/)")
    parser.add_argument("--baseline", metavar="PREVIOUS.json",
                        help="a JSON report of an earlier audit: report unsafe schema and API changes since (compat/*)")
    parser.add_argument("--list-rules", action="store_true", help="print the rule registry as JSON and exit")
    parser.add_argument("--output", "-o", help="write the report to this file instead of standard output")
    cache = parser.add_mutually_exclusive_group()
    cache.add_argument("--cache-dir", metavar="DIR",
                       help="keep extracted facts here between runs (default: $XDG_CACHE_HOME/convex-audit)")
    cache.add_argument("--no-cache", action="store_true", help="keep no facts between runs")
    return parser


def _cache_dir(args: argparse.Namespace) -> Path | None:
    if args.no_cache:
        return None
    return Path(args.cache_dir) if args.cache_dir else default_cache_dir()


def _facts_cache(folder: Path | None) -> ParseCache:
    from auditor.engine.factcache import ParseCache

    return ParseCache(max_bytes=0) if folder is None else ParseCache(folder)


def _write(output: str | bytes, path: str | None) -> None:
    if path:
        with open(path, "wb") as handle:
            handle.write(output.encode("utf-8") if isinstance(output, str) else output)
    elif isinstance(output, str) or not hasattr(sys.stdout, "buffer"):  # a text-only stream, in a test say
        sys.stdout.write(output if isinstance(output, str) else output.decode("utf-8"))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(output)


def main(argv: Sequence[str] | None = None) -> int:
    started = time.perf_counter()
    args = build_parser().parse_args(argv)
    if args.list_rules:
        import json

        from auditor.engine.rules import all_rules

        rules = [{"id": r.id, "severity": r.severity, "category": r.category, "title": r.title} for r in all_rules()]
        print(json.dumps(rules, indent=2))
        return 0
    if not args.path:
        print("convex-audit: PATH is required (or --list-rules)", file=sys.stderr)
        return 2
    # Indented JSON and coloured text for a person at a terminal; compact and plain for files and pipes.
    to_terminal = args.output is None and sys.stdout.isatty()
    color = to_terminal and "NO_COLOR" not in os.environ
    request = Request.of(args.path, format=args.format, color=color, convex_dir=args.convex_dir,
                         config=args.config, baseline=args.baseline, output=args.output)
    folder = _cache_dir(args)
    reports = ReportCache(folder) if folder is not None else None
    kept = reports.find(request) if reports is not None else None
    if kept is not None:
        cache = {"hits": 0, "misses": 0, "disk_error": None, "report": "hit"}  # no facts read
        seconds = round(time.perf_counter() - started, 3)
        _write(kept.render(seconds=seconds, cache=cache, indented=to_terminal), args.output)
        return kept.exit_code(args.fail_on, args.fail_below)
    from auditor.engine.audit import audit_path

    with inputs.recording() as journal:
        try:
            report = audit_path(args.path, convex_dir=args.convex_dir, config_file=args.config,
                                cache=_facts_cache(folder), baseline=args.baseline,
                                leave_out=[args.output] if args.output else [])
        except EngineUsageError as error:
            print(f"convex-audit: {error}", file=sys.stderr)
            return 2
    report.stats["cache"] = {**report.stats["cache"], "report": "miss" if reports is not None else "off"}  # type: ignore[dict-item]
    kept, output = _kept(report, args.format, color, indented=to_terminal)
    if reports is not None:
        reports.keep(request, journal, kept)
    _write(output, args.output)
    return kept.exit_code(args.fail_on, args.fail_below)


def _kept(report: Report, format: str, color: bool, *, indented: bool) -> tuple[KeptReport, str | bytes]:
    """The report as the report cache keeps it (see KeptReport), and as this run writes it."""
    output: str | bytes
    if format == "text":
        seconds = report.stats["seconds"]
        report.stats["seconds"] = SECONDS_MARK  # set by each run that writes it out
        try:
            text = report.to_text(color=color)
        finally:
            report.stats["seconds"] = seconds
        stored, output = text.encode("utf-8"), text.replace(SECONDS_MARK, str(seconds))
    else:
        document = report.to_dict() if format == "json" else report.to_sarif()
        stored = json_bytes(document, indented=False)
        output = json_bytes(document, indented=True) if indented else stored
    exit_codes = {fail_on: report.exit_code(fail_on) for fail_on in FAIL_ON}
    return KeptReport(format, stored, exit_codes, int(report.score["total"])), output  # type: ignore[call-overload]


# A one-shot process builds many objects and frees few: the collector's default thresholds
# would scan the growing heap again and again (about a fifth of a cold run's CPU time, and of
# reading cached facts). Young objects are still collected, so cyclic garbage stays bounded.
_GC_THRESHOLDS = (50_000, 20, 100)


def run() -> None:
    """The ``convex-audit`` console script."""
    gc.set_threshold(*_GC_THRESHOLDS)
    exit_without_teardown(main())


def exit_without_teardown(code: int) -> NoReturn:
    """Flush the output and end the process at once, as mypy does: tearing down a heap of facts
    object by object costs 30-80 ms of an audit that is over, a tenth of a second run. Nothing is
    left to clean up: the report is written, the facts cache committed, the process pool joined."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
