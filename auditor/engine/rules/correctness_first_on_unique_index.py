"""`.first()` on a lookup that is meant to be unique.

What it flags:
    `.withIndex(...)` on a regular index of the schema, with an equality on every field of the
    index, ended with `.first()` and no `.order(...)`, when the lookup is meant to find one
    document: the project ends the same table and index lookup with `.unique()` elsewhere, or
    the pinned fields are a natural key (`email`, `slug`, `username`, `handle`,
    `tokenIdentifier`, `clerkId`, `externalId`, `...Key`, `...Token`...). Lookups on ordinary
    foreign keys (`by_channel` pinning `channelId`), which many documents share, are not
    flagged.

Why it matters:
    `.first()` silently picks one of several matches. When a key is supposed to be unique, a
    duplicate (two user rows for one token after a race in "get or create") goes unnoticed and
    reads alternate between them. `.unique()` returns the single match or throws, so the broken
    invariant shows up at once.

Example:
    const user = await ctx.db
      .query("users")
      .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier))
      .first();

Fix:
    End the lookup with `.unique()`. If duplicates can legitimately exist, add `.order(...)` to
    make the choice explicit, or widen the index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("correctness/first-on-unique-index", "info", ".first() on a lookup that pins a unique key")

KEY_FIELD = re.compile(
    r"^(email|emailAddress|slug|username|userName|handle|tokenIdentifier|subject|clerkId|clerkUserId|externalId|"
    r"authId|phone|phoneNumber|stripeCustomerId|stripeSubscriptionId|code|inviteCode|shortCode)$"
    r"|(Key|Token|Slug|Email|Handle|Username|Identifier)$")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    schema = project.schema
    if schema is None:
        return
    bodies = list(convex_bodies(project))
    unique_lookups = {(call.table, call.index) for body in bodies for call in body.db_calls
                      if call.method == "query" and call.terminal == "unique" and call.index}
    for body in bodies:
        for call in body.db_calls:
            if call.method != "query" or call.terminal != "first" or call.index is None or call.table is None:
                continue
            if call.index_kind != "regular" or "order" in call.chain:
                continue
            table = schema.tables.get(call.table)
            index = table.index_named(call.index) if table else None
            fields = [f for f in index.fields if f != "_creationTime"] if index else []
            if not fields or not set(fields) <= set(call.index_eq_fields):
                continue
            keyed = any(KEY_FIELD.search(field) for field in fields)
            if not keyed and (call.table, call.index) not in unique_lookups:
                continue
            yield report.at(
                call.terminal_loc or call.loc,
                f"`.first()` on `{call.table}.{call.index}` with every index field pinned: the lookup is meant "
                "to be unique. `.unique()` says so and throws on a duplicate instead of picking one.",
                body=body,
            )
