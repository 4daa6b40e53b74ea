import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  users: defineTable({
    tokenIdentifier: v.string(),
    name: v.string(),
    teamIds: v.array(v.id("teams")),
  }).index("by_token", ["tokenIdentifier"]),
  teams: defineTable({
    name: v.string(),
    ownerId: v.id("users"),
  }),
  tasks: defineTable({
    teamId: v.id("teams"),
    title: v.string(),
    done: v.boolean(),
    assigneeId: v.optional(v.id("users")),
  })
    .index("by_team", ["teamId"])
    .index("by_team_done", ["teamId", "done"]),
});
