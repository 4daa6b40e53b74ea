"""ctx.db call without the table name.

What it flags:
    `ctx.db.get(id)`, `ctx.db.patch(id, value)`, `ctx.db.replace(id, value)` and
    `ctx.db.delete(id)` called without the table name first, when the project's Convex version
    is 1.31.0 or later (the release whose `ctx.db` takes `("table", id, ...)`). Handlers and
    project helpers are checked; `ctx.db.system.get` is not. With an unknown version the rule
    stays silent and the report's `stats.versions.silent_rules` says so.

Why it matters:
    Without the table name, the table is inferred from the id's encoding. An id that arrives as
    a cast string (`args.id as Id<"tasks">`) can then point into any table, and the write lands
    there; the table-first form checks the id belongs to the named table. Convex made it the
    recommended form (and the official ESLint plugin's `explicit-table-ids` rule) to prepare for
    ids chosen by the application.

Example:
    await ctx.db.patch(args.taskId, { done: true });

Fix:
    Name the table: `await ctx.db.patch("tasks", args.taskId, { done: true })`. Convex's
    codemod (`npx @convex-dev/codemod explicit-ids`) rewrites a whole project.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo
from auditor.engine.versions import rule_allowed

RULE = RuleInfo("correctness/implicit-table-id", "info", "ctx.db call without the table name")

_METHODS = {"get": "id", "delete": "id", "patch": "id, value", "replace": "id, value"}


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    if rule_allowed(project.convex_version, RULE.id) is not True:
        return
    for body in convex_bodies(project):
        for call in body.db_calls:
            if call.method not in _METHODS or call.explicit_table:
                continue
            yield report.at(
                call.loc,
                f"`ctx.db.{call.method}({_METHODS[call.method]})` infers the table from the id; this Convex "
                f"version takes it first: `ctx.db.{call.method}(\"table\", {_METHODS[call.method]})`.",
                body=body,
            )
