import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
import { getUserId } from "./utils";

export const mine = query({
  args: {},
  handler: async (ctx) => {
    const userId = await getUserId(ctx);
    if (!userId) return [];
    return await ctx.db
      .query("recipes")
      .withIndex("by_author", (q) => q.eq("authorId", userId))
      .take(100);
  },
});

export const search = query({
  args: { text: v.string() },
  handler: async (ctx, { text }) => {
    return await ctx.db
      .query("recipes")
      .withSearchIndex("search_title", (q) => q.search("title", text).eq("visibility", "public"))
      .take(20);
  },
});

export const publicFeed = query({
  args: {},
  handler: async (ctx) => {
    const recipes = await ctx.db
      .query("recipes")
      .withIndex("by_visibility", (q) => q.eq("visibility", "public"))
      .collect();
    return recipes.map(({ title, _id }) => ({ title, _id }));
  },
});

export const create = mutation({
  args: {
    title: v.string(),
    ingredients: v.array(v.string()),
    steps: v.array(v.object({ text: v.string(), minutes: v.optional(v.number()) })),
  },
  handler: async (ctx, args) => {
    const userId = await getUserId(ctx);
    if (!userId) throw new Error("User not found");
    return await ctx.db.insert("recipes", { ...args, authorId: userId, visibility: "private" });
  },
});

export const publish = mutation({
  args: { id: v.id("recipes") },
  handler: async (ctx, { id }) => {
    const userId = await getUserId(ctx);
    const recipe = await ctx.db.get(id);
    if (!recipe || recipe.authorId !== userId) throw new Error("Not allowed");
    await ctx.db.patch(id, { visibility: "public" });
  },
});
