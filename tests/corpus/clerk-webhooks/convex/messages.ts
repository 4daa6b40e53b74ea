import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
import { getCurrentUserOrThrow } from "./users";

export const list = query({
  args: { channel: v.string() },
  handler: async (ctx, { channel }) => {
    const messages = await ctx.db
      .query("messages")
      .withIndex("by_channel", (q) => q.eq("channel", channel))
      .order("desc")
      .take(100);
    return messages.reverse();
  },
});

export const send = mutation({
  args: { body: v.string(), channel: v.string() },
  handler: async (ctx, { body, channel }) => {
    const user = await getCurrentUserOrThrow(ctx);
    await ctx.db.insert("messages", { author: user._id, body, channel });
  },
});

export const clearChannel = mutation({
  args: { channel: v.string(), isAdmin: v.boolean() },
  handler: async (ctx, { channel, isAdmin }) => {
    if (!isAdmin) throw new Error("Admins only");
    const messages = await ctx.db
      .query("messages")
      .withIndex("by_channel", (q) => q.eq("channel", channel))
      .collect();
    for (const message of messages) {
      await ctx.db.delete(message._id);
    }
  },
});
