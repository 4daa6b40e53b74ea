import { mutation, query } from "./_generated/server";
import { v } from "convex/values";

export const generateUploadUrl = mutation(async (ctx) => {
  const identity = await ctx.auth.getUserIdentity();
  if (!identity) throw new Error("Unauthenticated");
  return await ctx.storage.generateUploadUrl();
});

export const save = mutation({
  args: { storageId: v.id("_storage"), name: v.string(), contentType: v.string() },
  handler: async (ctx, args) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) throw new Error("Unauthenticated");
    await ctx.db.insert("files", { ...args, ownerToken: identity.tokenIdentifier });
  },
});

export const list = query({
  args: {},
  handler: async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) return [];
    const files = await ctx.db
      .query("files")
      .withIndex("by_owner", (q) => q.eq("ownerToken", identity.tokenIdentifier))
      .order("desc")
      .take(50);
    return Promise.all(
      files.map(async (file) => ({ ...file, url: await ctx.storage.getUrl(file.storageId) })),
    );
  },
});

export const byAlbum = query({
  args: { albumId: v.id("albums") },
  handler: async (ctx, { albumId }) => {
    const files = await ctx.db
      .query("files")
      .filter((q) => q.eq(q.field("albumId"), albumId))
      .collect();
    return files.map((file) => ({
      ...file,
      url: `${process.env.CONVEX_CLOUD_URL}/api/storage/${file.storageId}`,
    }));
  },
});

export const remove = mutation({
  args: { id: v.id("files") },
  handler: async (ctx, { id }) => {
    const file = await ctx.db.get(id);
    if (!file) return;
    ctx.storage.delete(file.storageId);
    await ctx.db.delete(id);
  },
});
