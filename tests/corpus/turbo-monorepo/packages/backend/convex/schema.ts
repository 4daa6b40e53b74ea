import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  recipes: defineTable({
    authorId: v.string(),
    title: v.string(),
    ingredients: v.array(v.string()),
    steps: v.array(v.object({ text: v.string(), minutes: v.optional(v.number()) })),
    visibility: v.union(v.literal("public"), v.literal("private")),
  })
    .index("by_author", ["authorId"])
    .index("by_visibility", ["visibility"])
    .searchIndex("search_title", { searchField: "title", filterFields: ["visibility"] }),
  favorites: defineTable({
    userId: v.string(),
    recipeId: v.id("recipes"),
  }).index("by_user", ["userId"]),
});
