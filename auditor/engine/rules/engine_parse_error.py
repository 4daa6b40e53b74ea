"""A file the auditor could not parse.

What it flags:
    A source file that the TypeScript reader and the JavaScript parser could not turn into a
    syntax tree, at the first error position tree-sitter or esprima reports.

Why it matters:
    Nothing in that file was checked: its functions, routes and schema are missing from every
    other rule and from the inventories. The audit goes on with the rest of the project.

Example:
    // convex/legacy.ts
    export const broken = query({ handler: async (ctx) => { return ctx.db.query("t" } });

Fix:
    Make the file valid TypeScript (run `npx tsc --noEmit`), or, when it uses syntax the
    auditor does not read yet, ignore its path in `convex-audit.toml` and tell us.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import Location, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("engine/parse-error", "info", "File could not be parsed")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for failure in project.parse_failures:
        loc = Location(failure.path, failure.line, failure.column, failure.line, failure.column)
        yield report.at(loc, f"Could not parse this file: {failure.message}; the audit skipped it.")
