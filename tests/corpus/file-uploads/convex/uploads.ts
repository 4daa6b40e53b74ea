import { internalMutation } from "./_generated/server";
import { v } from "convex/values";

export const record = internalMutation({
  args: { storageId: v.id("_storage"), author: v.string() },
  handler: async (ctx, { storageId, author }) => {
    await ctx.db.insert("files", {
      storageId,
      name: `upload-${Date.now()}`,
      contentType: "image/*",
      ownerToken: author,
    });
  },
});
