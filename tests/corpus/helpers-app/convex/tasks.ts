import { v } from "convex/values";
import { ConvexError } from "convex/values";
import { userMutation, userQuery } from "./lib/functions";

export const list = userQuery({
  args: { teamId: v.id("teams"), onlyOpen: v.boolean() },
  handler: async (ctx, { teamId, onlyOpen }) => {
    if (!ctx.user.teamIds.includes(teamId)) throw new ConvexError("Not a member");
    if (onlyOpen) {
      return await ctx.db
        .query("tasks")
        .withIndex("by_team_done", (q) => q.eq("teamId", teamId).eq("done", false))
        .take(200);
    }
    return await ctx.db
      .query("tasks")
      .withIndex("by_team", (q) => q.eq("teamId", teamId))
      .take(200);
  },
});

export const add = userMutation({
  args: { teamId: v.id("teams"), title: v.string() },
  handler: async (ctx, { teamId, title }) => {
    if (!ctx.user.teamIds.includes(teamId)) throw new ConvexError("Not a member");
    return await ctx.db.insert("tasks", { teamId, title, done: false });
  },
});

export const update = userMutation({
  args: { id: v.id("tasks"), title: v.optional(v.string()), done: v.optional(v.boolean()) },
  handler: async (ctx, args) => {
    const task = await ctx.db.get(args.id);
    if (!task || !ctx.user.teamIds.includes(task.teamId)) throw new ConvexError("Not found");
    const { id, ...fields } = args;
    await ctx.db.patch(id, fields);
  },
});

export const assign = userMutation({
  args: { id: v.id("tasks"), assigneeId: v.string() },
  handler: async (ctx, { id, assigneeId }) => {
    const task = await ctx.db.get(id);
    if (!task) throw new Error("Task not found");
    await ctx.db.patch(id, { assigneeId: ctx.db.normalizeId("users", assigneeId) ?? undefined });
  },
});
