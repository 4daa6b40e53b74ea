"""Body facts for collected results (filtered or returned) and thrown plain Errors."""

from __future__ import annotations

from pathlib import Path

from tests.engine.helpers import line_of, project_facts

SOURCE = """
    import { query } from "./_generated/server";
    import { v } from "convex/values";

    export const open = query({
      args: { status: v.string() },
      handler: async (ctx, args) => {
        const rows = await ctx.db.query("tasks").collect();
        const mine = (await ctx.db.query("tasks").collect()).filter(({ owner }) => owner === args.status);
        if (!rows) throw new Error("none");
        return rows.filter((row) => row.status === args.status);
      },
    });

    export const all = query({ args: {}, handler: async (ctx) => await ctx.db.query("tasks").collect() });

    export const mapped = query({
      args: {},
      handler: async (ctx) => {
        const rows = await ctx.db.query("tasks").collect();
        const long = rows.filter((row) => row.title.length > 10);
        return Promise.all(rows.map(async (row) => { return row; }));
      },
    });

    export const bounded = query({
      args: {},
      handler: async (ctx) => {
        const rows = await ctx.db.query("tasks").take(5);
        return rows.filter((row) => row.done === false);
      },
    });
"""


def test_it_records_filters_returns_and_throws(tmp_path: Path) -> None:
    files = {"convex/tasks.ts": SOURCE}
    project = project_facts(tmp_path, files)

    def at(needle: str, occurrence: int = 1) -> int:
        return line_of(files, "convex/tasks.ts", needle, occurrence)

    open_body = project.functions["tasks:open"].body
    filters = [(f, loc.line) for f, loc in open_body.collect_filters]
    assert filters == [("owner", at("const mine")), ("status", at("return rows.filter"))]
    assert [loc.line for loc in open_body.returned_collects] == [at("const rows")]
    assert [loc.line for loc in open_body.error_throws] == [at("throw new Error")]
    assert [loc.line for loc in project.functions["tasks:all"].body.returned_collects] == [at("export const all")]
    mapped = project.functions["tasks:mapped"].body
    assert [loc.line for loc in mapped.returned_collects] == [at("const rows", 2)]
    assert mapped.collect_filters == ()  # no equality on a row field
    bounded = project.functions["tasks:bounded"].body
    assert bounded.collect_filters == () and bounded.returned_collects == ()
