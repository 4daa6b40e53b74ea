"""Paginated function without paginationOpts in its args.

What it flags:
    An exported Convex function whose handler calls `.paginate(args.paginationOpts)` (or
    `.paginate` on any key of its arguments, also destructured: `{ paginationOpts }`) while its
    `args` validator, written out in full, has no such key. A validator with a spread or built
    elsewhere is not judged, nor a function without `args`.

Why it matters:
    Convex validates arguments before the handler runs, and an object validator rejects fields
    it does not list: every call from `usePaginatedQuery`, which always sends `paginationOpts`,
    fails with "Object contains extra field `paginationOpts`". The list never loads.

Example:
    export const list = query({
      args: { channel: v.id("channels") },
      handler: async (ctx, args) =>
        ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channel", args.channel))
          .paginate(args.paginationOpts),
    });

Fix:
    import { paginationOptsValidator } from "convex/server";
    args: { channel: v.id("channels"), paginationOpts: paginationOptsValidator },
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("perf/missing-pagination-validator", "warning", "Paginated function without paginationOpts in its args")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for module in project.modules.values():
        if module.module is None:
            continue
        for read in module.paginate_reads:
            function = project.functions.get(f"{module.module}:{read.export_name}")
            if function is None or not read.has_args or read.args_keys is None or read.key in read.args_keys:
                continue
            yield report.at(
                read.loc,
                f"`{function.function_id}` paginates with `args.{read.key}`, but its `args` do not declare "
                f"`{read.key}`, so Convex rejects every call; add `{read.key}: paginationOptsValidator` "
                "(from convex/server) to its args.",
                function=function,
            )
