import { mutation, query } from "./_generated/server";
import { v } from "convex/values";
import { internal } from "./_generated/api";
import { getCurrentUserOrThrow } from "./users";

export const list = query({
  args: {},
  handler: async (ctx) => {
    const user = await getCurrentUserOrThrow(ctx);
    return await ctx.db
      .query("notes")
      .withIndex("by_user", (q) => q.eq("userId", user._id))
      .order("desc")
      .collect();
  },
});

export const pinned = query({
  args: {},
  handler: async (ctx) => {
    const user = await getCurrentUserOrThrow(ctx);
    const notes = await ctx.db
      .query("notes")
      .filter((q) => q.eq(q.field("pinned"), true))
      .collect();
    return notes.filter((note) => note.userId === user._id);
  },
});

export const get = query({
  args: { id: v.id("notes") },
  handler: async (ctx, args) => {
    const user = await getCurrentUserOrThrow(ctx);
    const note = await ctx.db.get(args.id);
    if (note === null || note.userId !== user._id) {
      return null;
    }
    return note;
  },
});

export const create = mutation({
  args: { title: v.string(), content: v.string(), summarize: v.boolean() },
  handler: async (ctx, { title, content, summarize }) => {
    const user = await getCurrentUserOrThrow(ctx);
    const noteId = await ctx.db.insert("notes", {
      userId: user._id,
      title,
      content,
      pinned: false,
    });
    if (summarize) {
      await ctx.scheduler.runAfter(0, internal.openai.summarize, { id: noteId, content });
    }
    return noteId;
  },
});

export const remove = mutation({
  args: { id: v.id("notes") },
  handler: async (ctx, { id }) => {
    await ctx.db.delete(id);
  },
});
