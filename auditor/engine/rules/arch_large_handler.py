"""Handler longer than 80 lines.

What it flags:
    A registered Convex function (query, mutation, action, HTTP action; public or internal)
    whose handler function spans more than 80 lines, counted from its first to its last line.
    Reported at the registration.

Why it matters:
    A long handler mixes validation, access control, data access and business rules in one
    place that can only be exercised by calling the function. It is hard to review for the
    checks that matter (who may call it, what it writes), cannot share logic with other
    functions except by copy, and tends to grow further.

Example:
    export const checkout = mutation({
      args: {...},
      handler: async (ctx, args) => {
        // 150 lines: load the cart, check stock, compute prices, write the order, ...
      },
    });

Fix:
    Keep the handler thin: move the steps into helpers that take `ctx`
    (`convex/model/orders.ts`), following Convex's guidance that most logic should live in
    plain TypeScript functions called by small registered functions.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("arch/large-handler", "info", "Handler longer than 80 lines")

MAX_LINES = 80


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    seen: set[str] = set()
    for function in project.functions.values():
        body = function.body
        if body is None or body.key in seen or body.line_count <= MAX_LINES:
            continue
        seen.add(body.key)
        yield report.at(
            function.loc,
            f"The handler of `{function.function_id}` is {body.line_count} lines long (over {MAX_LINES}); move its "
            "steps into helper functions that take ctx.",
            function=function,
        )
