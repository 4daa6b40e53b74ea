"""schema/reserved-table-name: tables named like system tables."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/reserved-table-name"

FLAGGED = [
    flagged("a _migrations table, quoted or not, beside a normal one", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              tasks: defineTable({ text: v.string() }),
              _migrations: defineTable({ name: v.string() }),
              "_locks": defineTable({ key: v.string() }),
            });
        """,
    }, ("convex/schema.ts", "_migrations:"), ("convex/schema.ts", '"_locks"')),
]

CLEAN = [
    clean("underscores inside names, system tables named only in v.id and queries", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              user_profiles: defineTable({ avatar: v.id("_storage"), _legacy: v.optional(v.string()) }),
              migrations_: defineTable({ name: v.string() }),
            });
        """,
        "convex/files.ts": """
            import { query } from "./_generated/server";

            export const all = query({ args: {}, handler: async (ctx) => ctx.db.system.query("_storage").take(10) });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_tables_named_with_a_leading_underscore(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_ordinary_table_names(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
