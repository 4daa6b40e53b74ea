import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  users: defineTable({
    name: v.string(),
    tokenIdentifier: v.string(),
  }).index("by_token", ["tokenIdentifier"]),

  messages: defineTable({
    author: v.id("users"),
    channel: v.string(),
    body: v.string(),
  }).index("by_author", ["author"]),
});
