"""Convex function exported under a JavaScript reserved word.

What it flags:
    A Convex function whose export name is a JavaScript reserved word: `export const delete =
    mutation(...)` (a syntax error, so the file also fails to parse) or `export { remove as
    delete }`. A default export is not flagged: Convex registers it as `module:default`.

Why it matters:
    `export const delete` does not compile: the bundler stops with "Expected identifier but
    found delete" and the push or deploy fails. Renamed through an export list, the function
    deploys but its reference `api.module.delete` reads like the operator and trips tooling
    and code generation that write names as identifiers. It is one of the hard-deny checks of
    Convex's own lint hook for coding agents.

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
from auditor.engine.reserved import RESERVED_WORDS
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("functions/reserved-word-export", "error", "Convex function exported under a reserved word")


def check(project: ProjectFacts) -> Iterator[Finding]:
    for function in project.functions.values():
        if function.name in RESERVED_WORDS:
            yield RULE.finding(
                function.loc,
                f"The Convex function `{function.name}` is exported under a JavaScript reserved word; "
                f"rename it (for example `{_synonym(function.name)}`).",
                function=function.function_id,
            )
    prefix = f"{project.convex_dir}/" if project.convex_dir not in {"", "."} else ""
    for failure in project.parse_failures:
        if failure.reserved_export and failure.path.startswith(prefix):
            word = failure.reserved_export
            loc = Location(failure.path, failure.line, failure.column, failure.line, failure.column + len(word))
            yield RULE.finding(
                loc,
                f"`export const {word}` does not compile: `{word}` is a JavaScript reserved word and the "
                f"push fails. Rename the export (for example `{_synonym(word)}`).",
            )


def _synonym(word: str) -> str:
    return {"delete": "remove", "new": "create", "import": "importItems", "export": "exportItems"}.get(
        word, f"{word}Item")
