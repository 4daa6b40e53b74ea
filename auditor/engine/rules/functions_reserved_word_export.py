"""Convex function exported under a JavaScript reserved word.

What it flags:
    A Convex module that declares an export under a JavaScript reserved word, `export const
    delete = mutation(...)` or `export function new(...)`. The file does not parse, so the
    auditor finds it where the parser stops. An export list that renames a function to a
    reserved word (`export { remove as delete }`) is valid JavaScript and is not flagged, nor
    is a default export (Convex registers it as `module:default`).

Why it matters:
    `export const delete` is a syntax error: the bundler stops with "Expected identifier but
    found delete", so the push or deploy fails and no function of the module is served. It is
    one of the hard-deny checks of Convex's own lint hook for coding agents.

Example:
    export const delete = mutation({
      args: { id: v.id("tasks") },
      handler: async (ctx, { id }) => ctx.db.delete(id),
    });

Fix:
    Pick a word that is not reserved: `remove`, `destroy`, `deleteTask`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import Location, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("functions/reserved-word-export", "error", "Convex function exported under a reserved word")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    prefix = f"{project.convex_dir}/" if project.convex_dir not in {"", "."} else ""
    for failure in project.parse_failures:
        if failure.reserved_export and failure.path.startswith(prefix):
            word = failure.reserved_export
            loc = Location(failure.path, failure.line, failure.column, failure.line, failure.column + len(word))
            yield report.at(
                loc,
                f"`export const {word}` does not compile: `{word}` is a JavaScript reserved word and the "
                f"push fails. Rename the export (for example `{_synonym(word)}`).",
            )


def _synonym(word: str) -> str:
    return {"delete": "remove", "new": "create", "import": "importItems", "export": "exportItems"}.get(
        word, f"{word}Item")
