import { mutation, query } from "./_generated/server";
import { v } from "convex/values";

export const list = query(async (ctx) => {
  const messages = await ctx.db.query("messages").order("desc").take(100);
  return messages.reverse();
});

export const send = mutation({
  args: { body: v.string(), author: v.string() },
  handler: async (ctx, { body, author }) => {
    const message = { body, author, likes: 0 };
    await ctx.db.insert("messages", message);
  },
});

export const like = mutation({
  args: { id: v.id("messages") },
  handler: async (ctx, { id }) => {
    const message = await ctx.db.get(id);
    if (message) {
      ctx.db.patch(id, { likes: message.likes + 1 });
    }
  },
});

export const byAuthor = query({
  args: { author: v.string() },
  handler: async (ctx, { author }) => {
    return await ctx.db
      .query("messages")
      .filter((q) => q.eq(q.field("author"), author))
      .take(50);
  },
});
