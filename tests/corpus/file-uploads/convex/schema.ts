import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  files: defineTable({
    storageId: v.id("_storage"),
    name: v.string(),
    contentType: v.string(),
    ownerToken: v.string(),
    albumId: v.optional(v.id("albums")),
  }).index("by_owner", ["ownerToken"]),
  albums: defineTable({
    name: v.string(),
    coverFileId: v.optional(v.id("files")),
  }),
});
