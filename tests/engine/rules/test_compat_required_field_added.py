"""compat/required-field-added: required fields added to tables that already hold documents."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_change_case, clean_change, flagged_change
from tests.engine.rules._compat_schemas import schema

RULE_ID = "compat/required-field-added"

BEFORE = schema('    name: v.string(),')

FLAGGED = [
    flagged_change("a required field added to an existing table", BEFORE,
                   schema('    name: v.string(),\n    plan: v.union(v.literal("free"), v.literal("pro")),'),
                   ("convex/schema.ts", "plan:")),
    flagged_change("a required nullable field is still required", BEFORE,
                   schema('    name: v.string(),\n    avatar: v.union(v.id("_storage"), v.null()),'),
                   ("convex/schema.ts", "avatar:")),
]

CLEAN = [
    clean_change("an optional field added", BEFORE, schema('    name: v.string(),\n    plan: v.optional(v.string()),')),
    clean_change("a new table with required fields", BEFORE,
                 schema('    name: v.string(),', '  teams: defineTable({ name: v.string(), owner: v.id("users") }),')),
    clean_change("schema validation turned off", BEFORE, {"convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { v } from "convex/values";

        export default defineSchema({
          users: defineTable({ name: v.string(), plan: v.string() }),
        }, { schemaValidation: false });
    """}),
    clean_change("fields behind a spread the auditor cannot read", {"convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { v } from "convex/values";
        import { profileFields } from "some-package";

        export default defineSchema({ users: defineTable({ ...profileFields, name: v.string() }) });
    """}, {"convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { v } from "convex/values";
        import { profileFields } from "some-package";

        export default defineSchema({ users: defineTable({ ...profileFields, name: v.string(), plan: v.string() }) });
    """}),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_required_fields_added_to_existing_tables(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_optional_fields_and_new_tables(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)
