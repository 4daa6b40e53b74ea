"""ctx.runMutation or ctx.runAction inside a query.

What it flags:
    `ctx.runMutation(...)` or `ctx.runAction(...)` in a `query`/`internalQuery` handler, in a
    project helper such a handler calls, or in its custom builder's context function.
    (`ctx.runQuery` from a query is a performance matter, left to
    `perf/run-from-query-or-mutation`.)

Why it matters:
    Queries are read-only and deterministic; their context has no `runMutation` or `runAction`
    and the call throws at run time. A helper shared between a mutation and a query is where this
    usually hides: it works from the mutation and fails from the query.

Example:
    export const getOrCreateProfile = query({
      args: {},
      handler: async (ctx) => {
        return await ctx.runMutation(internal.profiles.ensure, {});
      },
    });

Fix:
    Make the function a mutation if it must write, or have the client call a mutation after the
    query (for "get or create", a mutation that returns the document).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import bodies_of_kind, body_owner_labels
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("correctness/mutation-from-query", "error", "ctx.runMutation or ctx.runAction inside a query")


def check(project: ProjectFacts) -> Iterator[Finding]:
    labels = body_owner_labels(project)
    seen: set[str] = set()
    for function, body in bodies_of_kind(project, {"query"}):
        if body.key in seen:
            continue
        seen.add(body.key)
        for call in body.run_calls:
            if call.method not in {"runMutation", "runAction"}:
                continue
            via = "" if function.body is body else f" (reached from the query `{function.function_id}`)"
            yield RULE.finding(
                call.loc,
                f"`ctx.{call.method}` inside a query{via}: queries cannot write or run actions, and the call "
                "fails at run time. Make it a mutation, or call a mutation from the client.",
                function=labels.get(body.key, body.key),
            )
