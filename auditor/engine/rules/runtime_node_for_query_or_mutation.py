"""Query or mutation in a "use node" module.

What it flags:
    A query or mutation (public or internal, custom builders included) registered in a module
    that starts with the `"use node"` directive.

Why it matters:
    Only actions can run in the Node.js runtime. `npx convex deploy` rejects a `"use node"` file
    that defines queries or mutations, so the push fails; teams then move the directive around and
    break the actions that needed it.

Example:
    "use node";
    import { action, query } from "./_generated/server";

    export const send = action({ args: {}, handler: async () => { /* nodemailer */ } });
    export const status = query({ args: {}, handler: async (ctx) => ctx.db.query("mail").first() });

Fix:
    Keep `"use node"` files to actions (`action`/`internalAction`) and move the queries and
    mutations into a module without the directive; the action calls them through
    `ctx.runQuery`/`ctx.runMutation`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("runtime/node-for-query-or-mutation", "warning", 'Query or mutation in a "use node" module')


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for function in project.functions.values():
        if function.kind not in {"query", "mutation"}:
            continue
        module = project.modules.get(function.path)
        if module is None or not module.use_node:
            continue
        yield report.at(
            function.loc,
            f'`{function.function_id}` is a {function.kind} in a "use node" module; only actions run in Node.js '
            "and the deploy fails. Move it to a module without the directive.",
            function=function,
        )
