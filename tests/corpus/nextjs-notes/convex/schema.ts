import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  users: defineTable({
    name: v.string(),
    tokenIdentifier: v.string(),
    imageUrl: v.optional(v.string()),
  }).index("by_token", ["tokenIdentifier"]),
  notes: defineTable({
    userId: v.id("users"),
    title: v.string(),
    content: v.string(),
    summary: v.optional(v.string()),
    pinned: v.boolean(),
  })
    .index("by_user", ["userId"])
    .index("by_user_and_pinned", ["userId", "pinned"]),
});
