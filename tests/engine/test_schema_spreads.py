"""Schema tables spread in from other modules and from Convex Auth's authTables are seen by every rule."""

from __future__ import annotations

from pathlib import Path

from tests.engine.helpers import audit_project, findings_of, line_of

GAME = {
    "convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { v } from "convex/values";
        import { agentTables } from "./agent/schema";
        import { worldTables } from "./world/schema";

        export default defineSchema({
          music: defineTable({ storageId: v.string() }),
          ...agentTables,
          ...worldTables,
        });
    """,
    "convex/agent/schema.ts": """
        import { defineTable } from "convex/server";
        import { v } from "convex/values";

        const memoryFields = { playerId: v.string(), importance: v.number() };

        export const agentTables = {
          memories: defineTable(memoryFields).index("by_player", ["playerId"]),
          agentNotes: defineTable({ memoryId: v.id("memories"), text: v.string() })
            .index("by_memory", ["memoryId"])
            .index("by_text", ["text"]),
        };
    """,
    "convex/world/schema.ts": """
        import { defineTable } from "convex/server";
        import { v } from "convex/values";
        import { statusTables } from "./status";

        export const worldTables = {
          worlds: defineTable({ name: v.string() }),
          ...statusTables,
        };
    """,
    "convex/world/status.ts": """
        import { defineTable } from "convex/server";
        import { v } from "convex/values";

        export const statusTables = {
          worldStatus: defineTable({ worldId: v.id("worlds"), isDefault: v.boolean() })
            .index("by_world", ["worldId"]),
        };
    """,
    "convex/world.ts": """
        import { query } from "./_generated/server";
        import { v } from "convex/values";

        export const current = query({
          args: {},
          handler: async (ctx) => {
            return await ctx.db.query("worldStatus").filter((q) => q.eq(q.field("isDefault"), true)).first();
          },
        });

        export const memories = query({
          args: { playerId: v.string() },
          handler: async (ctx, { playerId }) => {
            const notes = await ctx.db.query("agentNotes").withIndex("by_memory").take(5);
            const rows = await ctx.db.query("memories").withIndex("by_player", (q) => q.eq("playerId", playerId))
              .take(10);
            const status = await ctx.db.query("worldStatus").withIndex("by_owner").first();
            return { notes, rows, status };
          },
        });
    """,
}


def test_it_merges_tables_spread_in_from_other_modules(tmp_path: Path) -> None:
    report = audit_project(tmp_path, GAME)
    schema = report.project.schema
    assert sorted(schema.tables) == ["agentNotes", "memories", "music", "worldStatus", "worlds"]
    assert not schema.open and schema.unread_spreads == ()
    assert schema.tables["memories"].fields["importance"].validator.kind == "number"
    assert schema.tables["worldStatus"].loc.path == "convex/world/status.ts"
    assert ("worldStatus", "worldId", "worlds") in {ref[:3] for ref in schema.id_references}
    tables = {table["name"]: table for table in report.to_dict()["inventory"]["schema"]["tables"]}
    assert tables["memories"]["path"] == "convex/agent/schema.ts"


def test_it_checks_queries_and_indexes_of_spread_tables(tmp_path: Path) -> None:
    report = audit_project(tmp_path, GAME)
    assert findings_of(report, "schema/unindexed-filter") == [
        ("schema/unindexed-filter", "convex/world.ts", line_of(GAME, "convex/world.ts", '.filter((q)')),
    ]
    assert findings_of(report, "schema/unknown-index") == [
        ("schema/unknown-index", "convex/world.ts", line_of(GAME, "convex/world.ts", '"by_owner"')),
    ]
    # Declared in a spread module and named nowhere else: unused; by_memory and by_player are used.
    assert findings_of(report, "schema/unused-index") == [
        ("schema/unused-index", "convex/agent/schema.ts", line_of(GAME, "convex/agent/schema.ts", '"by_text"')),
        ("schema/unused-index", "convex/world/status.ts", line_of(GAME, "convex/world/status.ts", '"by_world"')),
    ]


def test_it_keeps_the_schema_open_when_a_spread_cannot_be_followed(tmp_path: Path) -> None:
    report = audit_project(tmp_path, {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            import { migrationsTables } from "some-published-package";
            import { gone } from "./missing";

            export default defineSchema({ ...migrationsTables, ...gone, notes: defineTable({ text: v.string() }) });
        """,
    })
    schema = report.project.schema
    assert schema.open
    assert schema.unread_spreads == ("migrationsTables", "gone")


def test_it_knows_the_documented_tables_of_auth_tables(tmp_path: Path) -> None:
    files = {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { authTables } from "@convex-dev/auth/server";
            import { v } from "convex/values";

            export default defineSchema({
              ...authTables,
              notes: defineTable({ userId: v.id("users"), text: v.string() }).index("by_user", ["userId"]),
            });
        """,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const byEmail = query({
              args: { email: v.string() },
              handler: async (ctx, { email }) => {
                const user = await ctx.db.query("users").withIndex("email", (q) => q.eq("email", email)).unique();
                const other = await ctx.db.query("users").withIndex("by_nickname").first();
                return [user?._id, other?._id];
              },
            });
        """,
    }
    report = audit_project(tmp_path, files)
    users = report.project.schema.tables["users"]
    assert users.library == "authTables" and not users.opaque
    assert {"email", "phone"} <= set(users.fields)
    assert findings_of(report, "schema/unknown-index") == [
        ("schema/unknown-index", "convex/users.ts", line_of(files, "convex/users.ts", '"by_nickname"')),
    ]
    # The library's own design is not the project's to change.
    for rule in ("schema/foreign-key-without-index", "schema/redundant-index"):
        assert findings_of(report, rule) == [], rule
    unused = findings_of(report, "schema/unused-index")
    assert unused == [("schema/unused-index", "convex/schema.ts", line_of(files, "convex/schema.ts", "by_user"))]


def test_it_leaves_alone_an_id_validator_handed_to_a_project_function(tmp_path: Path) -> None:
    files = {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            export default defineSchema({ inputs: defineTable({ name: v.string(), args: v.any() }) });
        """,
        "convex/engine/inputHandler.ts": """
            export function inputHandler(def: { args: any; handler: (args: any) => void }) {
              return def;
            }
        """,
        "convex/engine/inputs.ts": """
            import { v } from "convex/values";
            import { inputHandler } from "./inputHandler";
            import { mutation } from "../_generated/server";

            export const moveInputs = {
              move: inputHandler({ args: { agentId: v.id("agents") }, handler: () => {} }),
            };

            export const send = mutation({
              args: { to: v.id("player") },
              handler: async (ctx, { to }) => {
                await ctx.db.insert("inputs", { name: "send", args: { to } });
              },
            });
        """,
    }
    report = audit_project(tmp_path, files)
    assert findings_of(report, "schema/unknown-table") == [
        ("schema/unknown-table", "convex/engine/inputs.ts",
         line_of(files, "convex/engine/inputs.ts", 'v.id("player")')),
    ]
