import { internalMutation } from "./_generated/server";
import { v } from "convex/values";

export const postFromBot = internalMutation({
  args: { body: v.string(), channel: v.string() },
  handler: async (ctx, { body, channel }) => {
    const bot = await ctx.db
      .query("users")
      .withIndex("byEmail", (q) => q.eq("email", "bot@example.com"))
      .unique();
    if (!bot) return;
    await ctx.db.insert("messages", { author: bot._id, body, channel });
  },
});
