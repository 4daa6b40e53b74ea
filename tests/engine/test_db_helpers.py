"""Helpers handed the database itself (``db: DatabaseReader``, or ``db`` passed ``ctx.db``) are read as ``ctx.db``."""

from __future__ import annotations

from pathlib import Path

from tests.engine.helpers import audit_project, findings_of, line_of

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";
    export default defineSchema({
      worlds: defineTable({ isDefault: v.boolean(), name: v.string() }).index("by_name", ["name"]),
    });
"""

FILES = {
    "convex/schema.ts": SCHEMA,
    "convex/lib/worlds.ts": """
        import { DatabaseReader, DatabaseWriter } from "../_generated/server";
        import { GenericDatabaseReader } from "convex/server";
        import { DataModel } from "../_generated/dataModel";

        export async function current(db: DatabaseReader) {
          return db.query("worlds").filter((q) => q.eq(q.field("isDefault"), true)).first();
        }

        export async function byName(reader: GenericDatabaseReader<DataModel>, name: string) {
          return reader.query("worlds").withIndex("by_name", (q) => q.eq("name", name)).unique();
        }

        export async function rename(name: string, writer?: DatabaseWriter) {
          const world = await current(writer!);
          if (world) await writer!.patch(world._id, { name });
        }
    """,
    "convex/lib/plain.js": """
        export async function firstNamed(db, name) {
          return db.query("worlds").filter((q) => q.eq(q.field("name"), name)).first();
        }
    """,
    "convex/worlds.ts": """
        import { query } from "./_generated/server";
        import { v } from "convex/values";
        import { current, byName, rename } from "./lib/worlds";
        import { firstNamed } from "./lib/plain";

        export const get = query({
          args: { name: v.string() },
          handler: async (ctx, { name }) => {
            await rename(name, ctx.db as any);
            return [await current(ctx.db), await byName(ctx.db, name), await firstNamed(ctx.db, name)];
          },
        });
    """,
}


def test_it_reads_queries_through_a_database_parameter(tmp_path: Path) -> None:
    report = audit_project(tmp_path, FILES)
    assert findings_of(report, "schema/unindexed-filter") == [
        ("schema/unindexed-filter", "convex/lib/plain.js", line_of(FILES, "convex/lib/plain.js", ".filter(")),
        ("schema/unindexed-filter", "convex/lib/worlds.ts", line_of(FILES, "convex/lib/worlds.ts", ".filter(")),
    ]
    assert findings_of(report, "schema/unused-index") == []


def test_it_sees_a_write_through_a_database_writer_reached_from_a_query(tmp_path: Path) -> None:
    report = audit_project(tmp_path, FILES)
    assert findings_of(report, "functions/query-writes-db") == [
        ("functions/query-writes-db", "convex/lib/worlds.ts", line_of(FILES, "convex/lib/worlds.ts", "writer!.patch")),
    ]


def test_it_leaves_other_parameters_alone(tmp_path: Path) -> None:
    report = audit_project(tmp_path, {
        "convex/schema.ts": SCHEMA,
        "convex/lib/cache.ts": """
            // A Map named like nothing Convex knows: `store.get` is no database read.
            export function remember(store: Map<string, number>, key: string) {
              return store.get(key);
            }
        """,
    })
    body = report.project.bodies["convex/lib/cache.ts#remember"]
    assert body.db_calls == ()
