"""Facts that used to be read off syntax trees by rules: per-item runs, statement runs, opaque calls, spreads."""

from __future__ import annotations

from tests.engine.helpers import project_facts


def test_it_marks_runs_once_per_item_but_not_per_page_batch_or_literal_list(tmp_path):
    project = project_facts(tmp_path, {"convex/jobs.ts": """
        import { action } from "./_generated/server";
        import { internal } from "./_generated/api";
        export const go = action({
          args: {},
          handler: async (ctx, args) => {
            for (const item of args.items) { await ctx.runMutation(internal.a.one, { item }); }
            await Promise.all(args.ids.map((id) => ctx.runQuery(internal.a.get, { id })));
            for (const batch of chunks) { await ctx.runMutation(internal.a.many, { batch }); }
            for (const table of ["a", "b"]) { await ctx.runMutation(internal.a.clear, { table }); }
            while (more) { await ctx.runQuery(internal.a.page, {}); }
            for (let attempt = 0; attempt < 3; attempt++) { await ctx.runAction(internal.a.retry, {}); }
          },
        });
    """})
    calls = project.functions["jobs:go"].body.run_calls
    assert [(call.target_text.split(".")[-1], call.in_loop, call.per_item) for call in calls] == [
        ("one", True, True), ("get", True, True), ("many", True, False), ("clear", True, False),
        ("page", True, False), ("retry", True, False)]


def test_it_places_runs_that_are_whole_statements_in_their_block(tmp_path):
    project = project_facts(tmp_path, {"convex/flow.ts": """
        import { action } from "./_generated/server";
        import { internal } from "./_generated/api";
        export const go = action({
          args: {},
          handler: async (ctx) => {
            const a = await ctx.runQuery(internal.f.a, {});
            await ctx.runMutation(internal.f.b, { a });
            if (a) {
              return ctx.runMutation(internal.f.c, {});
            }
            log(await ctx.runQuery(internal.f.d, {}));
          },
        });
    """})
    statements = [call.statement for call in project.functions["flow:go"].body.run_calls]
    assert statements[0][0] == statements[1][0] and statements[1][1] == statements[0][1] + 1
    assert statements[2] is not None and statements[2][0] != statements[0][0]
    assert statements[3] is None  # an argument of another call, not a statement of its own


def test_it_lists_calls_that_may_have_side_effects_the_engine_cannot_see(tmp_path):
    project = project_facts(tmp_path, {"convex/mixed.ts": """
        import { action } from "./_generated/server";
        import { v } from "convex/values";
        import Stripe from "stripe";
        import { helper } from "./lib";
        export const clean = action({
          args: { n: v.number() },
          handler: async (ctx, args) => {
            const rows = await ctx.runQuery(internal.x.list, {});
            await helper(ctx, rows.map((row) => row.id).join(","));
            return Math.max(args.n, JSON.parse("1"));
          },
        });
        export const opaque = action({
          args: {},
          handler: async (ctx) => {
            await new Stripe("k").charges.create({});
            unknownGlobal();
          },
        });
    """, "convex/lib.ts": "export async function helper(ctx, ids) { return ids; }\n"})
    assert project.functions["mixed:clean"].body.opaque_calls == ()
    lines = [loc.line for loc in project.functions["mixed:opaque"].body.opaque_calls]
    assert lines == [16, 16, 17]  # `new Stripe(...)` and its `.charges.create`, then the unknown global


def test_it_records_a_spread_in_a_registration_object(tmp_path):
    project = project_facts(tmp_path, {"convex/spread.ts": """
        import { query } from "./_generated/server";
        const shared = { args: {} };
        export const a = query({ ...shared, handler: async () => null });
        export const b = query({ handler: async () => null });
    """})
    assert project.functions["spread:a"].options_spread
    assert not project.functions["spread:b"].options_spread
