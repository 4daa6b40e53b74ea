"""Network call or other side effect in a query or mutation.

What it flags:
    `fetch(...)`, timers (`setTimeout`, `setInterval`), `XMLHttpRequest`/`WebSocket`, or a call
    into an HTTP/email/payment SDK (`axios`, `stripe`, `openai`, `resend`, ...) in a
    `query`/`mutation` handler (public or internal), in a project helper it calls, or in its
    custom builder's context function. The finding sits at the call.

Why it matters:
    Queries and mutations are deterministic transactions that Convex may retry and re-run;
    their runtime has no `fetch` and no timers, so the call fails. Even where a library call
    slipped through, an email or charge inside a transaction that is retried happens twice, or
    happens although the transaction rolled back.

Example:
    export const signup = mutation({
      args: { email: v.string() },
      handler: async (ctx, { email }) => {
        await ctx.db.insert("users", { email });
        await fetch("https://api.emailservice.com/send", { method: "POST", body: email });
      },
    });

Fix:
    Put the side effect in an action and schedule it from the mutation once the write is
    committed: `await ctx.scheduler.runAfter(0, internal.emails.sendWelcome, { email })`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import distinct_bodies_of_kind
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("functions/side-effect-in-transaction", "error", "Side effect in a query or mutation")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for reached in distinct_bodies_of_kind(project, {"query", "mutation"}):
        function, body = reached.function, reached.body
        calls = [("fetch", loc) for loc in body.fetch_calls] + list(body.side_effect_calls)
        for name, loc in calls:
            yield report.at(
                loc,
                f"`{name}` in a {function.kind}{reached.via}: queries and mutations are transactions without "
                "network access or timers, and may be retried. Do this in an action scheduled with "
                "`ctx.scheduler.runAfter(0, ...)`.",
                body=reached.body,
            )
