"""Random values inside a query.

What it flags:
    `Math.random()`, `crypto.randomUUID()`, `crypto.getRandomValues()` and the random helpers of
    `uuid` (`v4`...), `nanoid` and Node's `crypto` (`randomUUID`, `randomBytes`, `randomInt`)
    called in a `query`/`internalQuery` handler, a project helper it calls, or its custom
    builder's context function. Deterministic `crypto.subtle.digest` is not flagged, and
    `Date.now()`/`new Date()` belong to `perf/date-now-in-query` alone.

Why it matters:
    Convex caches a query's result and re-runs it only when the data it read changes, and it
    assumes the same inputs give the same output. Convex seeds `Math.random` per run so queries
    stay deterministic: a "random" pick in a query is fixed for everyone who hits the cache, and
    ids generated there are not unique. Work that needs randomness belongs in a mutation or an
    action.

Example:
    export const randomQuote = query({
      args: {},
      handler: async (ctx) => {
        const quotes = await ctx.db.query("quotes").take(100);
        return quotes[Math.floor(Math.random() * quotes.length)];
      },
    });

Fix:
    Pass a seed or index in from the client (`args: { seed: v.number() }`), store a random value
    on the document when it is written (in a mutation), or move the work to a mutation.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import distinct_bodies_of_kind
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/non-determinism-in-query", "warning", "Math.random() or crypto randomness in a query")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for reached in distinct_bodies_of_kind(project, {"query"}):
        body = reached.body
        for name, loc in body.random_calls:
            shown = name.replace(":", ".") if ":" in name else name
            yield report.at(
                loc,
                f"`{shown}()` inside a query{reached.via}: queries are cached and must be deterministic, so the value "
                "is fixed for every cached reader. Pass a seed in, or generate it in a mutation.",
                body=reached.body,
            )
