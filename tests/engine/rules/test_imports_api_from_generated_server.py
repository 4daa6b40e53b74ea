"""imports/api-from-generated-server: function references imported from the wrong generated module."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "imports/api-from-generated-server"

FLAGGED = [
    flagged("internal beside mutation, and api from a nested module", {
        "convex/messages.ts": """
            import { mutation, internal } from "./_generated/server";

            export const send = mutation({
              args: {},
              handler: async (ctx) => {
                await ctx.scheduler.runAfter(0, internal.mail.send, {});
              },
            });
        """,
        "convex/lib/refs.ts": """
            import { api } from "../_generated/server.js";

            export const LIST = api.messages.list;
        """,
    }, ("convex/messages.ts", "import { mutation, internal }"), ("convex/lib/refs.ts", "import { api }")),
]

CLEAN = [
    clean("references from _generated/api, registrars from _generated/server", {
        "convex/messages.ts": """
            import { mutation } from "./_generated/server";
            import { api, internal } from "./_generated/api";

            export const send = mutation({
              args: {},
              handler: async (ctx) => {
                await ctx.scheduler.runAfter(0, internal.mail.send, {});
                return api.messages.send;
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_references_imported_from_generated_server(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_references_from_generated_api(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
