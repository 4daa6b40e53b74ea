"""functions/reserved-word-export: Convex functions exported under reserved words."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "functions/reserved-word-export"

FLAGGED = [
    flagged("export const delete and export async function new, which do not even parse", {
        "convex/tasks.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const delete = mutation({
              args: { id: v.id("tasks") },
              handler: async (ctx, { id }) => ctx.db.delete(id),
            });
        """,
        "convex/items.ts": """
            export async function new(ctx) {
              return null;
            }
        """,
    }, ("convex/tasks.ts", "export const delete"), ("convex/items.ts", "export async function new")),
]

CLEAN = [
    clean("a mutation renamed to new through an export list, which is valid JavaScript", {
        "convex/tasks.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            const create = mutation({
              args: { text: v.string() },
              handler: async (ctx, { text }) => ctx.db.insert("tasks", { text }),
            });

            export { create as new };
        """,
    }),
    clean("a default export, a remove mutation and a reserved word outside the Convex folder", {
        "convex/tasks.ts": """
            import { mutation, query } from "./_generated/server";
            import { v } from "convex/values";

            export const remove = mutation({
              args: { id: v.id("tasks") },
              handler: async (ctx, { id }) => ctx.db.delete(id),
            });

            export default query({ args: {}, handler: async (ctx) => ctx.db.query("tasks").take(10) });
        """,
        "src/broken.ts": """
            export const delete = 1;
        """,
    }),
    clean("a reserved word as a property name and a non-exported syntax error", {
        "convex/tasks.ts": """
            import { mutation } from "./_generated/server";

            const actions = { delete: 1, new: 2 };
            export const touch = mutation({ args: {}, handler: async () => actions.delete });
        """,
        "convex/broken.ts": """
            const delete = 1;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_functions_exported_under_reserved_words(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_ordinary_export_names(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
