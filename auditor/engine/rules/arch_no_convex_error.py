"""throw new Error in a public function.

What it flags:
    `throw new Error(...)` (or `throw Error(...)`) written in the handler of a public query,
    mutation or action. Project helpers the handler calls are not examined: many are shared
    with internal functions and backend-only code paths, and the same helper would be reported
    once for every caller's intent. HTTP actions answer with a `Response` and are not
    concerned; neither are internal functions.

Why it matters:
    Convex hides the message of a plain `Error` thrown in production: the client receives a
    generic "Server Error" and the UI cannot tell "not found" from "not allowed" from a bug.
    `ConvexError` is the error meant for the client: its `data` (a string or an object such as
    `{ code: "NOT_FOUND" }`) reaches the caller intact in every environment.

Example:
    if (!document) throw new Error("Document not found");

Fix:
    `import { ConvexError } from "convex/values";` and
    `throw new ConvexError({ code: "NOT_FOUND", message: "Document not found" })`; on the client,
    `error instanceof ConvexError ? error.data : "Unexpected error"`. Keep plain `Error` for
    genuine bugs the user cannot act on.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("arch/no-convex-error", "info", "throw new Error in a public function")

_KINDS = frozenset({"query", "mutation", "action"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function in project.functions.values():
        if function.visibility != "public" or function.kind not in _KINDS or function.body is None:
            continue
        for loc in function.body.error_throws:
            yield report.at(
                loc,
                f"`{function.function_id}` throws a plain Error, whose message clients never see in production; "
                "throw a ConvexError with data the client can show or act on.",
                function=function,
            )
