"""compat/public-function-removed: public functions that deployed clients can no longer call."""

from __future__ import annotations

import pytest

from tests.engine.helpers import audit_change, check_change_case, clean_change, flagged_change
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


def test_it_names_where_a_function_seems_to_have_moved(tmp_path):
    after = {"convex/chat.ts": functions(SEND).popitem()[1], **functions("\n".join([LIST, PURGE]))}
    report = audit_change(tmp_path, BEFORE, after)
    [finding] = [f for f in report.active_findings if f.rule == RULE_ID]
    assert "`messages:send`" in finding.message and "moved to `chat:send`?" in finding.message


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
