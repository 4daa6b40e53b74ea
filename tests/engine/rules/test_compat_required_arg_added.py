"""compat/required-arg-added: public functions that start requiring an argument."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_change_case, clean_change, flagged_change
from tests.engine.rules._compat_schemas import functions


def send(args: str, builder: str = "mutation") -> dict[str, str]:
    return functions(f"export const send = {builder}({{\n  args: {{ {args} }},\n  handler: async () => null,\n}});")


RULE_ID = "compat/required-arg-added"

BEFORE = send("body: v.string(), channel: v.optional(v.id(\"channels\"))")

FLAGGED = [
    flagged_change("a new required argument", BEFORE,
                   send('body: v.string(), channel: v.optional(v.id("channels")), priority: v.number()'),
                   ("convex/messages.ts", "args:")),
    flagged_change("an optional argument made required", BEFORE, send('body: v.string(), channel: v.id("channels")'),
                   ("convex/messages.ts", "args:")),
]

CLEAN = [
    clean_change("an optional argument added", BEFORE,
                 send('body: v.string(), channel: v.optional(v.id("channels")), draft: v.optional(v.boolean())')),
    clean_change("a required argument added to an internal function", send("body: v.string()", "internalMutation"),
                 send("body: v.string(), to: v.string()", "internalMutation")),
    clean_change("a function that had no args validator", functions(
        "export const send = mutation({ handler: async () => null });"), send("body: v.string()")),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_required_arguments_added_to_public_functions(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_optional_and_internal_arguments(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)
