"""schema/too-many-indexes: a table with 8 or more indexes."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/too-many-indexes"


def _schema(count: int, extra: str = "") -> str:
    fields = ", ".join(f"f{i}: v.string()" for i in range(count))
    indexes = "\n".join(f'        .index("by_f{i}", ["f{i}"])' for i in range(count))
    return f"""
        import {{ defineSchema, defineTable }} from "convex/server";
        import {{ v }} from "convex/values";

        export default defineSchema({{
          orders: defineTable({{ {fields}, text: v.string() }})
{indexes}{extra},
          users: defineTable({{ name: v.string() }}).index("by_name", ["name"]),
        }});
    """


SEARCH = '\n        .searchIndex("search_text", { searchField: "text", filterFields: ["f0"] })'

FLAGGED = [
    flagged("eight indexes on one table", {"convex/schema.ts": _schema(8)}, ("convex/schema.ts", "orders:")),
    flagged("twelve indexes", {"convex/schema.ts": _schema(12)}, ("convex/schema.ts", "orders:")),
]

CLEAN = [
    clean("seven regular indexes and a search index", {
        "convex/schema.ts": _schema(7, SEARCH),
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_tables_with_many_indexes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_tables_under_the_threshold(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
