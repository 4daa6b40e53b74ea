"""Index definition that Convex rejects at deploy.

What it flags:
    An index of the schema that the deployment refuses when the schema is pushed:
    - a regular index that lists `_creationTime`, `_id` or another system (`_`-prefixed) field;
      Convex appends `_creationTime` to every index itself;
    - a regular index with more than 16 fields;
    - an index name used twice on one table (regular, search and vector indexes share names);
    - the reserved names `by_id` and `by_creation_time`, which every table already has;
    - more than 32 regular indexes on one table.
    Reported at the index (at the table's name for the count). Tables a library adds
    (`authTables`) are the library's to define and are not checked.

Why it matters:
    `npx convex dev` and `npx convex deploy` stop at schema validation: nothing of the push goes
    live, neither the schema nor any function change that came with it. In CI that is a failed
    deploy found after the merge.

Example:
    messages: defineTable({ channel: v.id("channels"), body: v.string() })
      .index("by_channel", ["channel", "_creationTime"])
      .index("by_creation_time", ["body"]),

Fix:
    Drop `_creationTime` from the fields (every index is already ordered by it after its own
    fields), rename reserved or repeated names (`by_channel`, `by_body`), and keep at most 16
    fields per index and 32 indexes per table.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import schema_tables
from auditor.engine.model import IndexFact, ProjectFacts, TableFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("schema/invalid-index-definition", "error", "Index definition that Convex rejects")

MAX_FIELDS = 16
MAX_INDEXES = 32
RESERVED_NAMES = frozenset({"by_id", "by_creation_time"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for _, table in schema_tables(project):
        if table.library is not None:
            continue
        seen: dict[str, IndexFact] = {}
        for index in table.indexes:
            problem = _problem(table, index, seen.get(index.name))
            if index.name:
                seen.setdefault(index.name, index)
            if problem is not None:
                yield report.at(index.loc, f'The index "{index.name}" of the table "{table.name}" {problem}')
        regular = [index for index in table.indexes if index.kind == "regular"]
        if len(regular) > MAX_INDEXES:
            yield report.at(
                table.loc,
                f'The table "{table.name}" has {len(regular)} indexes; Convex allows {MAX_INDEXES} and rejects the '
                "schema. Remove unused or redundant indexes.",
            )


def _problem(table: TableFact, index: IndexFact, earlier: IndexFact | None) -> str | None:
    if index.name in RESERVED_NAMES:
        return (f"uses a name Convex reserves for its built-in index, and the schema is rejected; rename it "
                f'(for example "by_{"_".join(index.fields) or "field"}").')
    if earlier is not None:
        return (f"is defined twice (first on line {earlier.loc.line}), and the schema is rejected; give each index "
                "its own name.")
    if index.kind != "regular":
        return None
    system = [name for name in index.fields if name.startswith("_")]
    if system:
        listed = ", ".join(f'"{name}"' for name in system)
        return (f"lists the system field {listed}, which Convex rejects; remove it (every index already ends with "
                "_creationTime).")
    if len(index.fields) > MAX_FIELDS:
        return (f"has {len(index.fields)} fields; Convex allows {MAX_FIELDS} and rejects the schema. Split it or "
                "drop fields.")
    return None
