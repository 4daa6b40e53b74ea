"""perf/collect-then-filter: .collect() then an array .filter an index could answer."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "perf/collect-then-filter"

FLAGGED = [
    flagged("inline and through a local, in a handler and a helper", {
        "convex/tasks.ts": """
            import { query, internalMutation } from "./_generated/server";
            import { v } from "convex/values";

            export const byProject = query({
              args: { projectId: v.id("projects") },
              handler: async (ctx, args) => {
                const tasks = await ctx.db.query("tasks").collect();
                return tasks.filter((task) => task.projectId === args.projectId);
              },
            });

            export const openCount = query({
              args: {},
              handler: async (ctx) =>
                (await ctx.db.query("tasks").withIndex("by_creation_time").collect())
                  .filter(({ status }) => "open" == status).length,
            });

            export const archiveDone = internalMutation({
              args: {},
              handler: async (ctx) => {
                for (const task of await done(ctx)) await ctx.db.patch(task._id, { archived: true });
              },
            });

            async function done(ctx: any) {
              const all = await ctx.db.query("tasks").collect();
              return all.filter((t: any) => t.done === true && !t.archived);
            }
        """,
    }, ("convex/tasks.ts", "return tasks.filter"), ("convex/tasks.ts", ".filter(({ status })"),
       ("convex/tasks.ts", "return all.filter")),
]

CLEAN = [
    clean("indexed reads, computed filters, bounded reads and non-query arrays", {
        "convex/tasks.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const byProject = query({
              args: { projectId: v.id("projects"), search: v.string() },
              handler: async (ctx, args) => {
                const tasks = await ctx.db
                  .query("tasks")
                  .withIndex("by_project", (q) => q.eq("projectId", args.projectId))
                  .collect();
                const matching = tasks.filter((task) => task.title.toLowerCase().includes(args.search));
                const overdue = tasks.filter((task) => task.due < Date.now());
                const recent = (await ctx.db.query("tasks").order("desc").take(50)).filter((t) => t.done === false);
                const tags = args.search.split(",").filter((tag) => tag === "urgent");
                return { matching, overdue, recent, tags };
              },
            });
        """,
    }),
    clean("an in-memory join of two collected lists", {
        "convex/boards.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const pinnedCards = query({
              args: { boardId: v.id("boards") },
              handler: async (ctx, { boardId }) => {
                const cards = await ctx.db.query("cards").withIndex("by_board", (q) => q.eq("boardId", boardId))
                  .collect();
                const pins = await ctx.db.query("pins").withIndex("by_board", (q) => q.eq("boardId", boardId))
                  .collect();
                return cards.filter((card) => pins.some((pin) => pin.cardId === card._id));
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_in_memory_equality_filters_on_collected_rows(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_computed_filters_and_bounded_reads(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
