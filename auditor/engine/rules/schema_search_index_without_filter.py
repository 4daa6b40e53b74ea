"""Search index without filter fields.

What it flags:
    A `.searchIndex("name", { searchField: "..." })` declared with no `filterFields` (or an
    empty list). Reported at the `.searchIndex(`.

Why it matters:
    A full-text search can only be narrowed by the index's filter fields. Without them every
    search runs over the whole table, and restricting results to one user, channel or team
    means filtering the top results afterwards: relevant documents of that scope are missed and
    documents of other scopes are read for nothing.

Example:
    messages: defineTable({ body: v.string(), channel: v.id("channels") })
      .searchIndex("search_body", { searchField: "body" }),

Fix:
    Declare the fields searches are scoped by, and use them with `q.eq`:
    `.searchIndex("search_body", { searchField: "body", filterFields: ["channel"] })`, then
    `.withSearchIndex("search_body", (q) => q.search("body", text).eq("channel", channel))`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_tables
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/search-index-without-filter", "info", "Search index without filter fields")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for _, table in schema_tables(project):
        for index in table.indexes:
            if index.kind == "search" and not index.filter_fields:
                yield report.at(
                    index.loc,
                    f'The search index "{index.name}" of "{table.name}" has no filterFields; every search '
                    "scans the whole table and cannot be scoped.",
                )
