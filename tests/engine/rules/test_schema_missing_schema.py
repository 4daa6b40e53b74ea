"""schema/missing-schema: a Convex folder with functions and no schema.ts."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/missing-schema"

MESSAGES = """
    import { query, mutation } from "./_generated/server";
    import { v } from "convex/values";

    export const list = query({
      args: {},
      handler: async (ctx) => await ctx.db.query("messages").order("desc").take(50),
    });

    export const send = mutation({
      args: { body: v.string(), author: v.string() },
      handler: async (ctx, args) => {
        await ctx.db.insert("messages", args);
      },
    });
"""

FLAGGED = [
    flagged("a chat app without a schema", {
        "convex/messages.ts": MESSAGES,
        "convex/lib/format.ts": "export const trim = (s: string) => s.trim();\n",
    }, ("convex/messages.ts", "export const list")),
    flagged("a monorepo backend package without a schema", {
        "convex.json": '{ "functions": "packages/backend/convex" }',
        "packages/backend/convex/messages.ts": MESSAGES,
    }, ("packages/backend/convex/messages.ts", "export const list")),
]

CLEAN = [
    clean("a schema next to the functions", {
        "convex/messages.ts": MESSAGES,
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              messages: defineTable({ body: v.string(), author: v.string() }),
            });
        """,
    }),
    clean("a plain JavaScript schema", {
        "convex/messages.js": """
            import { query } from "./_generated/server";
            export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("messages").take(10) });
        """,
        "convex/schema.js": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            export default defineSchema({ messages: defineTable({ body: v.string() }) });
        """,
    }),
    clean("a schema that does not parse", {
        "convex/messages.ts": MESSAGES,
        "convex/schema.ts": "export default defineSchema({ messages: defineTable({ body: v.string() }) \n",
    }),
    clean("a folder with helpers only", {
        "convex/lib/format.ts": "export const trim = (s: string) => s.trim();\n",
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_a_convex_folder_without_schema(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_folders_with_a_schema_or_no_functions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
