import { v } from "convex/values";
import { mutation, query, internalMutation } from "./_generated/server";

const configValidator = v.object({
  rate: v.number(),
  period: v.number(),
  capacity: v.optional(v.number()),
});

export const limit = mutation({
  args: { name: v.string(), key: v.optional(v.string()), count: v.optional(v.number()), config: configValidator },
  returns: v.object({ ok: v.boolean(), retryAfter: v.optional(v.number()) }),
  handler: async (ctx, args) => {
    const now = Date.now();
    const bucket = await ctx.db
      .query("buckets")
      .withIndex("name_key", (q) => q.eq("name", args.name).eq("key", args.key))
      .unique();
    const capacity = args.config.capacity ?? args.config.rate;
    const count = args.count ?? 1;
    const elapsed = bucket ? now - bucket.refilledAt : 0;
    const tokens = Math.min(capacity, (bucket?.tokens ?? capacity) + (elapsed * args.config.rate) / args.config.period);
    if (tokens < count) {
      return { ok: false, retryAfter: ((count - tokens) * args.config.period) / args.config.rate };
    }
    if (bucket) {
      await ctx.db.patch(bucket._id, { tokens: tokens - count, refilledAt: now });
    } else {
      await ctx.db.insert("buckets", { name: args.name, key: args.key, tokens: tokens - count, refilledAt: now });
    }
    return { ok: true };
  },
});

export const check = query({
  args: { name: v.string(), key: v.optional(v.string()) },
  returns: v.union(v.null(), v.object({ tokens: v.number(), refilledAt: v.number() })),
  handler: async (ctx, args) => {
    const bucket = await ctx.db
      .query("buckets")
      .withIndex("name_key", (q) => q.eq("name", args.name).eq("key", args.key))
      .first();
    return bucket ? { tokens: bucket.tokens, refilledAt: bucket.refilledAt } : null;
  },
});

export const clearAll = internalMutation({
  args: { before: v.optional(v.number()) },
  returns: v.null(),
  handler: async (ctx, args) => {
    const buckets = await ctx.db.query("buckets").collect();
    for (const bucket of buckets) {
      if (bucket.refilledAt < (args.before ?? Date.now())) {
        await ctx.db.delete(bucket._id);
      }
    }
    return null;
  },
});
