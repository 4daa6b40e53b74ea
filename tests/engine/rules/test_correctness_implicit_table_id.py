"""correctness/implicit-table-id: ctx.db calls without the table name on convex >= 1.31.0."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/implicit-table-id"

TASKS = """
    import { mutation, query } from "./_generated/server";
    import { v } from "convex/values";

    export const get = query({
      args: { id: v.id("tasks") },
      handler: async (ctx, { id }) => await ctx.db.get(id),
    });

    export const complete = mutation({
      args: { id: v.id("tasks") },
      handler: async (ctx, { id }) => {
        const task = await ctx.db.get("tasks", id);
        if (!task) return;
        await ctx.db.patch(id, { done: true });
        await ctx.db.patch("tasks", id, { done: true });
        await ctx.db.delete(task._id);
        const file = await ctx.db.system.get(task.fileId);
        return file;
      },
    });
"""

PNPM_LOCK = """
    lockfileVersion: '9.0'

    importers:

      .:
        dependencies:
          convex:
            specifier: ^1.29.0
            version: 1.31.2(react@19.0.0)
"""

FLAGGED = [
    flagged("convex 1.31 from pnpm-lock.yaml", {
        "package.json": '{"dependencies": {"convex": "^1.29.0"}}',
        "pnpm-lock.yaml": PNPM_LOCK,
        "convex/tasks.ts": TASKS,
    }, ("convex/tasks.ts", "await ctx.db.get(id)"), ("convex/tasks.ts", "ctx.db.patch(id,"),
        ("convex/tasks.ts", "ctx.db.delete(task._id)")),
    flagged("convex 1.31 as the package.json lower bound, in a helper", {
        "package.json": '{"devDependencies": {"convex": "~1.31.0"}}',
        "convex/lib/tasks.ts": """
            export async function loadTask(ctx: any, id: any) {
              return await ctx.db.get(id);
            }
        """,
    }, ("convex/lib/tasks.ts", "ctx.db.get(id)")),
]

CLEAN = [
    clean("an older version from the lock file", {
        "package.json": '{"dependencies": {"convex": "^1.29.0"}}',
        "pnpm-lock.yaml": PNPM_LOCK.replace("1.31.2", "1.30.0"),
        "convex/tasks.ts": TASKS,
    }),
    clean("a binary bun.lockb and a range with no bound: unknown, silent", {
        "package.json": '{"dependencies": {"convex": "*"}}',
        "bun.lockb": "\x00\x01",
        "convex/tasks.ts": TASKS,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_db_calls_without_the_table_name(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_stays_silent_before_1_31_or_when_unknown(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
