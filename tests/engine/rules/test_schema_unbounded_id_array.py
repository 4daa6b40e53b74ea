"""schema/unbounded-id-array: v.array(v.id(...)) fields."""

from __future__ import annotations

import pytest

from tests.engine.helpers import audit_project, check_case, clean, flagged

RULE_ID = "schema/unbounded-id-array"

FLAGGED = [
    flagged("member lists and nested id arrays", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              users: defineTable({ name: v.string() }),
              teams: defineTable({
                name: v.string(),
                memberIds: v.array(v.id("users")),
                settings: v.object({
                  adminIds: v.optional(v.array(v.id("users"))),
                }),
              }),
            });
        """,
    }, ("convex/schema.ts", "memberIds:"), ("convex/schema.ts", "adminIds:")),
]

CLEAN = [
    clean("a join table, arrays of strings and of storage files in an argument", {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              users: defineTable({ name: v.string(), tags: v.array(v.string()) }),
              teams: defineTable({ name: v.string() }),
              teamMembers: defineTable({ teamId: v.id("teams"), userId: v.id("users") })
                .index("by_team", ["teamId"])
                .index("by_user", ["userId"]),
            });
        """,
        "convex/teams.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const invite = mutation({
              args: { teamId: v.id("teams"), userIds: v.array(v.id("users")) },
              handler: async (ctx, { teamId, userIds }) => {
                for (const userId of userIds) {
                  await ctx.db.insert("teamMembers", { teamId, userId });
                }
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_arrays_of_ids_in_documents(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_join_tables_and_id_arrays_in_arguments(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


def test_it_names_the_nested_field_that_holds_the_ids(tmp_path):
    files = {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";

            export default defineSchema({
              users: defineTable({ name: v.string() }),
              posts: defineTable({
                author: v.union(
                  v.object({ kind: v.literal("bot"), promptIds: v.array(v.id("posts")) }),
                  v.object({ kind: v.literal("user"), userId: v.id("users") }),
                ),
              }),
            });
        """,
    }
    report = audit_project(tmp_path, files)
    messages = [f.message for f in report.active_findings if f.rule == RULE_ID]
    assert len(messages) == 1 and messages[0].startswith('"posts.author.promptIds" holds an array of ids of "posts"')
