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

from auditor.engine.derive import bodies_of_kind, body_owner_labels
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("functions/side-effect-in-transaction", "error", "Side effect in a query or mutation")


def check(project: ProjectFacts) -> Iterator[Finding]:
    labels = body_owner_labels(project)
    seen: set[str] = set()
    for function, body in bodies_of_kind(project, {"query", "mutation"}):
        if body.key in seen:
            continue
        seen.add(body.key)
        calls = [("fetch", loc) for loc in body.fetch_calls] + list(body.side_effect_calls)
        for name, loc in calls:
            via = "" if function.body is body else f" (reached from `{function.function_id}`)"
            yield RULE.finding(
                loc,
                f"`{name}` in a {function.kind}{via}: queries and mutations are transactions without network "
                "access or timers, and may be retried. Do this in an action scheduled with "
                "`ctx.scheduler.runAfter(0, ...)`.",
                function=labels.get(body.key, body.key),
            )
