"""compat/field-removed: fields dropped from tables that still exist."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_change_case, clean_change, flagged_change
from tests.engine.rules._compat_schemas import schema

RULE_ID = "compat/field-removed"

BEFORE = schema('    name: v.string(),\n    nickname: v.optional(v.string()),',
                '  notes: defineTable({ body: v.string() }),')

FLAGGED = [
    flagged_change("an optional field removed", BEFORE, schema('    name: v.string(),',
                                                               '  notes: defineTable({ body: v.string() }),'),
                   ("convex/schema.ts", "users: defineTable")),
]

CLEAN = [
    clean_change("a whole table removed, fields reordered", BEFORE,
                 schema('    nickname: v.optional(v.string()),\n    name: v.string(),')),
    clean_change("an unchanged schema", BEFORE, BEFORE),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_fields_removed_from_existing_tables(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_kept_fields_and_removed_tables(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)
