"""The README's "Reliability" figures, as Markdown, from test-artifacts/hardening.json.

    python tests/hardening/summary.py            # print the table
    python tests/hardening/summary.py --readme   # also rewrite it between the README's markers

Nothing in the table is typed by hand: `make hardening` writes the JSON, this prints it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "test-artifacts" / "hardening.json"
README = ROOT / "README.md"
START, END = "<!-- hardening-figures:start -->", "<!-- hardening-figures:end -->"

# Section, what it proves, and the keys the issue asks for (in this order).
SECTIONS = [
    ("fuzz", "Engine fuzzing: generated and mangled sources", ["cases", "crashes", "slowest_file_s"]),
    ("repos", "Hostile repositories stay inside their box", ["cases", "escapes"]),
    ("isolation", "Tenant isolation over every URL pattern", ["urls_checked", "leaks"]),
    ("secrets", "Secrets at rest, in logs, pages, mail, exports, task messages", ["checks", "leaks"]),
    ("api_fuzz", "schemathesis against the served OpenAPI schema", ["cases", "server_errors", "schema_violations"]),
    ("faults", "Worker killed, Redis restarted, database error, racing workers",
     ["scenarios", "lost_audits", "stuck_audits", "duplicate_audits"]),
    ("load", "200 repositories, 2,000 audits, 200,000 findings; 20 clients",
     ["clients", "p50_ms", "p95_ms", "requests_per_s", "errors", "audits_queued", "audits_finished"]),
]


def table(figures: dict) -> str:
    lines = ["| Part | What | Figures |", "| --- | --- | --- |"]
    for section, what, keys in SECTIONS:
        values = figures.get(section)
        if values is None:
            shown = "not run (needs PostgreSQL and Redis: `.ci/run`)"
        else:
            shown = ", ".join(f"{key} **{values.get(key, '-')}**" for key in keys)
        lines.append(f"| `{section}` | {what} | {shown} |")
    load = figures.get("load") or {}
    if load:
        met = "met" if load.get("p95_target_met") else "**not met**"
        lines.append("")
        lines.append(
            f"Load: p95 target {load.get('p95_target_ms', 300)} ms {met} with {load.get('gunicorn_workers', '?')} "
            f"gunicorn workers on {load.get('cpu_count', '?')} cores (1-minute load average "
            f"{load.get('load_average_before', '?')} before the run); p95 by page: "
            + ", ".join(f"{k} {v} ms" for k, v in (load.get("p95_ms_by_kind") or {}).items())
            + f". The 100 queued audits finished in {load.get('burst_seconds', '?')} s."
        )
        single = load.get("single_client") or {}
        if single:
            lines += ["", _by_page(f"One client alone (no queueing): p50 {single.get('p50_ms')} ms, p95 "
                                   f"{single.get('p95_ms')} ms, {single.get('requests_per_s')} requests/s", single)]
        first = load.get("first_view") or {}
        if first:
            lines += ["", _by_page(f"First views (each distinct URL once, nothing cached yet): p50 "
                                   f"{first.get('p50_ms')} ms, p95 {first.get('p95_ms')} ms over "
                                   f"{first.get('requests')} requests", first)]
    return "\n".join(lines) + "\n"


def _by_page(opening: str, figures: dict) -> str:
    pages = ", ".join(f"{k} {v} ms" for k, v in (figures.get("p50_ms_by_kind") or {}).items())
    return f"{opening}; p50 by page: {pages}."


def main() -> int:
    if not FIGURES.exists():
        print(f"{FIGURES} does not exist: run `make hardening` first", file=sys.stderr)
        return 1
    text = table(json.loads(FIGURES.read_text()))
    print(text, end="")
    if "--readme" in sys.argv[1:]:
        readme = README.read_text()
        if START not in readme or END not in readme:
            print(f"README.md has no {START} … {END} markers", file=sys.stderr)
            return 1
        head, rest = readme.split(START, 1)
        _, tail = rest.split(END, 1)
        README.write_text(f"{head}{START}\n{text}{END}{tail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
