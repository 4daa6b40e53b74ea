import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  buckets: defineTable({
    name: v.string(),
    key: v.optional(v.string()),
    tokens: v.number(),
    refilledAt: v.number(),
  }).index("name_key", ["name", "key"]),
});
