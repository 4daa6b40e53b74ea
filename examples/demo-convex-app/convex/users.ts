import { v } from "convex/values";
import { internalMutation, query } from "./_generated/server";

export const me = query({
  args: {},
  handler: async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) {
      return null;
    }
    return await ctx.db
      .query("users")
      .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier))
      .unique();
  },
});

export const store = internalMutation({
  args: { name: v.string(), tokenIdentifier: v.string() },
  handler: async (ctx, args) => {
    return await ctx.db.insert("users", args);
  },
});
