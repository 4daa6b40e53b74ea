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

from auditor.engine.derive import distinct_bodies_of_kind
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/mutation-from-query", "error", "ctx.runMutation or ctx.runAction inside a query")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for reached in distinct_bodies_of_kind(project, {"query"}):
        body = reached.body
        for call in body.run_calls:
            if call.method not in {"runMutation", "runAction"}:
                continue
            yield report.at(
                call.loc,
                f"`ctx.{call.method}` inside a query{reached.via}: queries cannot write or run actions, and the call "
                "fails at run time. Make it a mutation, or call a mutation from the client.",
                body=reached.body,
            )
