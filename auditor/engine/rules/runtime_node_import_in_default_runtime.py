"""Node-only import in the default Convex runtime.

What it flags:
    A module of the Convex folder without the `"use node"` directive that imports (`import`,
    `export ... from`, `require`, `import()`) a Node.js built-in (`fs`, `child_process`,
    `crypto`, any `node:` specifier...) or a project module that has `"use node"`. Type-only
    imports are ignored, as TypeScript erases them. Only modules Convex bundles as entry points
    are checked, by the bundler's own test: not `schema.ts`, not a name starting with `.` or `#`
    or holding more than one dot (`billing.test.ts`, `auth.config.ts`), not a path with a space.

Why it matters:
    Every module without `"use node"` is bundled for Convex's default runtime, which has no
    Node.js APIs. The push fails ("could not resolve 'fs'") or, for a module imported from a
    `"use node"` file, the Node-only code is pulled into queries and mutations that cannot run
    it. A helper imported by both runtimes is the usual culprit.

Example:
    // convex/webhooks.ts, no "use node"
    import { createHmac } from "crypto";

Fix:
    Move the Node-only code into a `"use node"` module of actions and call it with
    `ctx.runAction`, or use the Web APIs the default runtime has (`crypto.subtle`, `fetch`,
    `TextEncoder`).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.moduleuses import is_node_builtin
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("runtime/node-import-in-default-runtime", "error", "Node-only import in the default Convex runtime")



def is_entry_point(path: str) -> bool:
    """Whether Convex bundles the file as an entry point (convex's bundler `isEntryPoint`, also in
    @convex-dev/eslint-plugin's util.ts): one dot in the name, no leading "." or "#", not the schema,
    no space in the path."""
    base = path.rsplit("/", 1)[-1]
    return not (base.startswith((".", "#")) or base in {"schema.ts", "schema.js"} or base.count(".") > 1
                or " " in path)


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for path, imports in project.module_imports.items():
        module = project.modules.get(path)
        if module is None or module.use_node or not is_entry_point(path):
            continue
        for source, target, loc in imports:
            if is_node_builtin(source):
                message = (f"`{path}` has no \"use node\" but imports the Node.js built-in `{source}`, which the "
                           "default Convex runtime does not have. Move this code to a \"use node\" module.")
            elif target is not None and target in project.modules and project.modules[target].use_node:
                message = (f"`{path}` has no \"use node\" but imports `{target}`, a \"use node\" module; its "
                           "Node-only code cannot run in the default runtime. Call its actions with "
                           "`ctx.runAction` instead.")
            else:
                continue
            yield report.at(loc, message)
