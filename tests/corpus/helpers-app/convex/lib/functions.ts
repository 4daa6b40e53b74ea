import {
  customAction,
  customCtx,
  customMutation,
  customQuery,
} from "convex-helpers/server/customFunctions";
import {
  action,
  mutation,
  query,
  internalMutation,
  type QueryCtx,
} from "../_generated/server";
import { ConvexError } from "convex/values";

async function userFromAuth(ctx: QueryCtx) {
  const identity = await ctx.auth.getUserIdentity();
  if (!identity) {
    throw new ConvexError("Not authenticated");
  }
  const user = await ctx.db
    .query("users")
    .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier))
    .unique();
  if (!user) throw new ConvexError("User not found");
  return user;
}

export const userQuery = customQuery(
  query,
  customCtx(async (ctx) => ({ user: await userFromAuth(ctx) })),
);

export const userMutation = customMutation(
  mutation,
  customCtx(async (ctx) => ({ user: await userFromAuth(ctx) })),
);

export const userAction = customAction(
  action,
  customCtx(async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (!identity) throw new ConvexError("Not authenticated");
    return { identity };
  }),
);

export const migrationMutation = customMutation(internalMutation, customCtx(async () => ({})));
