"""Generated code that codegen did not write.

What it flags:
    Files directly under the Convex folder's `_generated/` that differ from what
    `npx convex dev` writes, as far as can be told without running it:

    * no codegen header (`/* eslint-disable */` and "THIS CODE IS AUTOMATICALLY GENERATED"):
      a hand-written stub or an edited file;
    * in `server.js` or `api.js`, a statement codegen never writes (codegen only imports from
      `convex/server` and exports `query = queryGeneric`, `api = anyApi`, ...; formatting is
      ignored);
    * in `api.d.ts`, a module import naming a file that does not exist in the Convex folder
      (stale or edited: codegen lists exactly the existing modules).

Why it matters:
    `_generated/` is overwritten on the next `npx convex dev`; hand edits vanish, and until then
    the types, `api` references and builders the app compiles against do not match the
    deployment. Stubs written to make a build pass hide missing or renamed functions from the
    type checker.

Example:
    // convex/_generated/server.js, written by hand
    export { query, mutation, action } from "convex/server";

Fix:
    Run `npx convex dev` (or `npx convex codegen`) and commit its output unchanged; put shared
    builders and helpers in your own modules (e.g. `convex/lib/functions.ts`).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import Location, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("config/generated-code-edited", "warning", "Generated code that codegen did not write")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for issue in project.generated_issues:
        yield report.at(
            Location(issue.path, issue.line, 0, issue.line, 0),
            f"`{issue.path}` {issue.message}. Regenerate it with `npx convex dev` and do not edit it.",
        )
