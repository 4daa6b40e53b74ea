import { defineSchema, defineTable } from "convex/server";
import { authTables } from "@convex-dev/auth/server";
import { v } from "convex/values";

export default defineSchema({
  ...authTables,
  products: defineTable({
    name: v.string(),
    priceCents: v.number(),
    stripePriceId: v.string(),
    active: v.boolean(),
  }).index("by_active", ["active"]),
  orders: defineTable({
    userId: v.id("users"),
    productId: v.id("products"),
    status: v.union(v.literal("pending"), v.literal("paid"), v.literal("refunded")),
    stripeSessionId: v.optional(v.string()),
  })
    .index("by_user", ["userId"])
    .index("by_stripe_session", ["stripeSessionId"]),
});
