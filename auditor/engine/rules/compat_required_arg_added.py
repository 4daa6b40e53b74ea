"""Public function gains a required argument.

What it flags:
    A public query, mutation or action that existed in the previous audit (the baseline)
    and now declares an argument that is not `v.optional(...)` and that it did not require
    before (a new argument, or an optional one made required). Functions whose `args` either
    audit could not read whole are not compared.

Why it matters:
    Clients already deployed, and jobs already scheduled with the old arguments, call it
    without the new one; argument validation rejects every such call.

Example:
    // before
    export const send = mutation({ args: { body: v.string() }, handler });
    // after
    export const send = mutation({ args: { body: v.string(), channel: v.id("channels") }, handler });

Fix:
    Add the argument as `v.optional(...)` with a default in the handler; require it only
    once no old client or scheduled job remains.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.compat import CALLABLE_KINDS, Inventory, current_inventory, is_required, type_label
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("compat/required-arg-added", "warning", "Public function gains a required argument")


def check(project: ProjectFacts) -> Iterator[Finding]:
    baseline = project.baseline
    if not isinstance(baseline, Inventory):
        return
    for function_id, now in current_inventory(project).functions.items():
        old = baseline.functions.get(function_id)
        if old is None or now.visibility != "public" or old.visibility != "public" or now.kind not in CALLABLE_KINDS:
            continue
        if now.args is None or old.args is None:
            continue
        function = project.functions.get(function_id)
        for name, shape in now.args.items():
            before = old.args.get(name)
            if not is_required(shape) or (before is not None and is_required(before)):
                continue
            change = "gains the required argument" if before is None else "now requires the argument"
            loc = (function.args_loc or function.loc) if function is not None else None
            if loc is None:
                continue
            yield RULE.finding(
                loc,
                f'The public {now.kind} `{function_id}` {change} "{name}" ({type_label(shape)}); deployed clients '
                "and scheduled jobs call it without one. Make it `v.optional(...)` until they are gone.",
                function=function_id,
            )
