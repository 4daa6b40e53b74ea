import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  users: defineTable({
    name: v.string(),
    email: v.string(),
    externalId: v.string(),
    role: v.union(v.literal("admin"), v.literal("member")),
  })
    .index("byExternalId", ["externalId"])
    .index("byEmail", ["email"]),
  messages: defineTable({
    author: v.id("users"),
    body: v.string(),
    channel: v.string(),
  }).index("by_channel", ["channel"]),
  auditLog: defineTable({
    actor: v.id("users"),
    action: v.string(),
  }),
});
