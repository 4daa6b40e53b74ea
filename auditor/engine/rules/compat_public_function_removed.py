"""Public function removed or renamed.

What it flags:
    A public query, mutation or action of the previous audit (the baseline) that this audit
    no longer has, or that became internal. A function whose module still exports the name
    (under a builder the auditor does not follow) or whose file could not be read is not
    reported.

Why it matters:
    Clients already deployed (web builds in users' tabs, mobile apps in stores, other
    services) keep calling the old name until they update; each call fails with "Could not
    find public function".

Example:
    // before: convex/messages.ts
    export const send = mutation({ ... });
    // after
    export const post = mutation({ ... });

Fix:
    Keep the old name as a thin wrapper (or alias) until no deployed client calls it, then
    remove it.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.compat import CALLABLE_KINDS, Inventory, current_inventory
from auditor.engine.model import Location, ProjectFacts
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("compat/public-function-removed", "warning", "Public function removed or renamed")


def check(project: ProjectFacts) -> Iterator[Finding]:
    baseline = project.baseline
    if not isinstance(baseline, Inventory):
        return
    current = current_inventory(project)
    if not current.functions:
        return  # nothing found this time: a discovery problem, not an API that vanished
    unread = {failure.path for failure in project.parse_failures} | {entry["path"] for entry in project.skipped}
    for function_id, old in sorted(baseline.functions.items()):
        if old.visibility != "public" or old.kind not in CALLABLE_KINDS:
            continue
        now = current.functions.get(function_id)
        if now is not None:
            if now.visibility == "internal" and now.kind in CALLABLE_KINDS:
                yield RULE.finding(
                    Location(now.path, now.line, 0, now.line, 0),
                    f"The public {old.kind} `{function_id}` became internal; deployed clients that call "
                    "`api." + function_id.replace("/", ".").replace(":", ".") + "` start failing.",
                    function=function_id,
                )
            continue
        module, _, name = function_id.rpartition(":")
        if name in current.exported.get(module, frozenset()) or old.path in unread:
            continue
        path = old.path or f"{project.convex_dir}/{module}.ts"
        yield RULE.finding(
            Location(path, 1, 0, 1, 0),
            f"The public {old.kind} `{function_id}` of the previous audit is gone (removed or renamed); "
            "deployed clients still call it. Keep it, or an alias, until they no longer do.",
            function=function_id,
        )
