import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  messages: defineTable({
    author: v.string(),
    body: v.string(),
    likes: v.number(),
  }),
  presence: defineTable({
    user: v.string(),
    room: v.string(),
    updated: v.number(),
  }).index("by_room_updated", ["room", "updated"]),
});
