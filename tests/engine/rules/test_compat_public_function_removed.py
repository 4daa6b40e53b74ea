"""compat/public-function-removed: public functions that deployed clients can no longer call."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_change_case, clean_change, flagged_change
from tests.engine.rules._compat_schemas import functions

RULE_ID = "compat/public-function-removed"

SEND = 'export const send = mutation({ args: { body: v.string() }, handler: async () => null });'
LIST = 'export const list = query({ args: {}, handler: async () => [] });'
PURGE = 'export const purge = internalMutation({ args: {}, handler: async () => null });'

BEFORE = functions("\n".join([SEND, LIST, PURGE]))

FLAGGED = [
    flagged_change("a public mutation renamed", BEFORE,
                   functions("\n".join([SEND.replace("send", "post"), LIST, PURGE])),
                   ("convex/messages.ts", "export const post")),
    flagged_change("a public query made internal", BEFORE,
                   functions("\n".join([SEND, LIST.replace("query(", "internalQuery("), PURGE]).replace(
                       "internalMutation }", "internalMutation, internalQuery }")),
                   ("convex/messages.ts", "export const list")),
]

CLEAN = [
    clean_change("an internal function removed", BEFORE, functions("\n".join([SEND, LIST]))),
    clean_change("a function moved under a builder the auditor does not follow", BEFORE, functions("\n".join([
        SEND, 'import { zQuery } from "some-zod-helpers";',
        'export const list = zQuery({ args: {}, handler: async () => [] });', PURGE]))),
    clean_change("a module that no longer parses", BEFORE, {"convex/messages.ts": "export const = ;\n"}),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_public_functions_that_disappear(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_internal_removals_and_what_it_cannot_see(tmp_path, case):
    check_change_case(tmp_path, RULE_ID, case)
