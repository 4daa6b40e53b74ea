import { mutation, query } from "./_generated/server";
import { v } from "convex/values";

export const heartbeat = mutation({
  args: { user: v.string(), room: v.string() },
  handler: async (ctx, { user, room }) => {
    const existing = await ctx.db
      .query("presence")
      .withIndex("by_room_updated", (q) => q.eq("room", room))
      .filter((q) => q.eq(q.field("user"), user))
      .first();
    if (existing) {
      await ctx.db.patch(existing._id, { updated: Date.now() });
    } else {
      await ctx.db.insert("presence", { user, room, updated: Date.now() });
    }
  },
});

export const online = query({
  args: { room: v.string(), since: v.number() },
  handler: async (ctx, { room, since }) => {
    return await ctx.db
      .query("presence")
      .withIndex("by_room_updated", (q) => q.eq("room", room).gt("updated", since))
      .collect();
  },
});

export const whoIsHereNow = query({
  args: { room: v.string() },
  handler: async (ctx, { room }) => {
    const cutoff = Date.now() - 30_000;
    return await ctx.db
      .query("presence")
      .withIndex("by_room_updated", (q) => q.eq("room", room).gt("updated", cutoff))
      .take(100);
  },
});
