"""ctx.run* inside a loop.

What it flags:
    `ctx.runQuery`, `ctx.runMutation` or `ctx.runAction` called once per item: in the body of a
    `for`, `for...of` (also `for await`) or `for...in` loop, or in a callback given to an
    iteration method (`.map`, `.forEach`, `.flatMap`, `.reduce`, ...), which includes the
    common `await Promise.all(items.map((item) => ctx.runMutation(...)))`. `while` and
    `do...while` loops are left alone: they are how an action pages through a table
    (`while (!isDone) { ... ctx.runQuery(internal.x.page, { cursor }) ... }`), one call per page
    rather than per item, also when the paging loop sits in a loop over tables or items (a loop
    over items inside it is per item again). So are loops that already batch or are bounded by a constant: a
    counting `for` whose condition reads no `.length`/`.size` (retries: `for (let attempt = 0;
    attempt < 3; attempt++)`) or that steps by more than one (`i += BATCH`), a loop over a
    literal array (`for (const table of ["a", "b"])`), and loops or callbacks whose list or
    item is named as a batch, chunk or page (`for (const batch of chunk(ids, 100))`), and loops
    that wait on a timer each round (`await new Promise((r) => setTimeout(r, 1000))`), which
    space their calls out on purpose.
    Scheduler calls (`ctx.scheduler.runAfter`) are fan-out by design and not flagged.

Why it matters:
    Each `ctx.run*` call is a separate transaction (and, from an action, a separate round trip
    to the database). A loop makes the work N transactions: it is slow, it is not atomic (a
    failure half-way leaves half the items written, and other writes interleave), and for
    large lists it runs into the action's time limit.

Example:
    for (const item of args.items) {
      await ctx.runMutation(internal.orders.addItem, { orderId, item });
    }

Fix:
    Pass the whole list to one internal mutation (or query) and loop inside it: a single
    transaction, one round trip. For very large lists, batch the items (a few hundred per call)
    or schedule the batches with `ctx.scheduler.runAfter`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("perf/run-in-loop", "error", "ctx.run* inside a loop")

_RUNS = frozenset({"runQuery", "runMutation", "runAction"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in convex_bodies(project):  # handlers first: a body reached twice keeps their label
        for call in body.run_calls:
            if not call.per_item or call.method not in _RUNS:
                continue
            yield report.at(
                call.loc,
                f"`ctx.{call.method}({call.target_text or '...'})` runs once per item of a loop, each its own "
                "transaction; pass the list to one internal function and loop inside it.",
                body=body,
            )
