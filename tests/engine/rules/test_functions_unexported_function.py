"""functions/unexported-function: registrars assigned at top level and never exported."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "functions/unexported-function"

FLAGGED = [
    flagged("a query, and an internal mutation of a custom builder imported from a helper", {
        "convex/lib/builders.ts": """
            import { customMutation, customCtx } from "convex-helpers/server/customFunctions";
            import { internalMutation } from "../_generated/server";
            export const adminMutation = customMutation(internalMutation, customCtx(async (ctx) => ({})));
        """,
        "convex/messages.ts": """
            import { query } from "./_generated/server";
            import { adminMutation } from "./lib/builders";
            import { v } from "convex/values";

            const listMessages = query({
              args: {},
              handler: async (ctx) => await ctx.db.query("messages").take(50),
            });

            const purge = adminMutation({ args: { id: v.id("messages") }, handler: async (ctx, { id }) => {
              await ctx.db.delete(id);
            } });

            export const count = query({ args: {}, handler: async () => 1 });
        """,
    }, ("convex/messages.ts", "const listMessages"), ("convex/messages.ts", "const purge")),
]

CLEAN = [
    clean("exported later, re-exported under another name, used by another export, httpAction, non-registrars", {
        "convex/messages.ts": """
            import { query, mutation, httpAction } from "./_generated/server";
            import { makeCache } from "./lib/cache";

            const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("messages").take(5) });
            const sendImpl = mutation({ args: {}, handler: async () => null });
            const hook = httpAction(async () => new Response("ok"));
            const cache = makeCache({ handler: () => 1 });
            const inner = query({ args: {}, handler: async () => 2 });
            export const outer = inner;
            export { list, sendImpl as send };
        """,
        "convex/lib/cache.ts": "export const makeCache = (options: object) => options;\n",
        "convex/messages.draft.ts": """
            import { query } from "./_generated/server";
            const probe = query({ args: {}, handler: async () => 1 });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_functions_left_unexported(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_exported_and_referenced_functions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
