"""schema/import-cycle: a module imported by the schema reads the schema value back."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "schema/import-cycle"

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { messageFields } from "./model/messages";

    export default defineSchema({
      messages: defineTable(messageFields).index("by_channel", ["channel"]),
    });
"""

FLAGGED = [
    flagged("a model module reading the schema's tables at load", {
        "convex/schema.ts": SCHEMA,
        "convex/model/messages.ts": """
            import { v } from "convex/values";
            import schema from "../schema";

            export const messageFields = { channel: v.string(), body: v.string() };
            export const messageDoc = schema.tables.messages.validator;
        """,
    }, ("convex/model/messages.ts", 'import schema from "../schema"')),
    flagged("through an index module, with a named import", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { userFields } from "./validators";

            export const tables = { users: defineTable(userFields) };
            export default defineSchema(tables);
        """,
        "convex/validators/index.ts": 'export * from "./users";\n',
        "convex/validators/users.ts": """
            import { v } from "convex/values";
            import { tables } from "../schema";

            export const userFields = { name: v.string() };
            export const userDoc = v.object({ ...tables.users.validator.fields, _id: v.id("users") });
        """,
    }, ("convex/validators/users.ts", 'import { tables } from "../schema"')),
]

CLEAN = [
    clean("reads inside functions and type-only imports", {
        "convex/schema.ts": SCHEMA,
        "convex/model/messages.ts": """
            import { v } from "convex/values";
            import schema from "../schema";
            import type { DataModel } from "../_generated/dataModel";

            export const messageFields = { channel: v.string(), body: v.string() };
            export function messageValidator() {
              return schema.tables.messages.validator;
            }
        """,
    }),
    clean("a module the schema does not import", {
        "convex/schema.ts": SCHEMA,
        "convex/model/messages.ts": """
            import { v } from "convex/values";
            export const messageFields = { channel: v.string(), body: v.string() };
        """,
        "convex/messages.ts": """
            import { query } from "./_generated/server";
            import schema from "./schema";

            const doc = schema.tables.messages.validator;
            export const list = query({
              args: {},
              returns: doc,
              handler: async (ctx) => await ctx.db.query("messages").first(),
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_modules_reading_the_schema_back(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_lazy_reads_and_modules_outside_the_cycle(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
