"""compat/field-type-narrowed: validators of existing fields that accept fewer values."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_change_case, clean_change, flagged_change
from tests.engine.rules._compat_schemas import schema

RULE_ID = "compat/field-type-narrowed"

STATUS = 'v.union(v.literal("draft"), v.literal("published"), v.literal("archived"))'


def users(status: str, meta: str = "v.any()", nickname: str = "v.optional(v.string())") -> dict[str, str]:
    return schema(f"    name: v.string(),\n    status: {status},\n    meta: {meta},\n    nickname: {nickname},")


BEFORE = users(STATUS)

FLAGGED = [
    flagged_change("a union that loses a member", BEFORE,
                   users('v.union(v.literal("draft"), v.literal("published"))'), ("convex/schema.ts", "status:")),
    flagged_change("v.any() made specific", BEFORE, users(STATUS, meta="v.object({ source: v.string() })"),
                   ("convex/schema.ts", "meta:")),
    flagged_change("v.optional dropped", BEFORE, users(STATUS, nickname="v.string()"),
                   ("convex/schema.ts", "nickname:")),
    flagged_change("a nested object gains a required field and an id changes table",
                   schema('    address: v.object({ city: v.string() }),\n    team: v.id("teams"),'),
                   schema('    address: v.object({ city: v.string(), zip: v.string() }),\n    team: v.id("orgs"),'),
                   ("convex/schema.ts", "address:"), ("convex/schema.ts", "team:")),
]

CLEAN = [
    clean_change("a union widened, a field made optional, a specific type made any", BEFORE,
                 users(f'v.union({STATUS}, v.literal("deleted"))',
                       nickname="v.optional(v.union(v.string(), v.null()))")),
    clean_change("literals folded into their base type, ids widened to strings, float64 for number",
                 schema('    status: v.union(v.literal("a"), v.literal("b")),\n    owner: v.id("users"),\n'
                        '    score: v.number(),'),
                 schema('    status: v.string(),\n    owner: v.string(),\n    score: v.float64(),')),
    clean_change("a validator the auditor cannot read", schema("    meta: customValidator(),"),
                 schema("    meta: v.string(),")),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_validators_that_accept_fewer_values(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_widened_and_unknown_validators(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)
