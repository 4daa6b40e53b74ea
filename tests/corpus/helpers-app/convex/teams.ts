import { v } from "convex/values";
import { migrationMutation, userQuery } from "./lib/functions";

export const mine = userQuery({
  args: {},
  handler: async (ctx) => {
    const teams = await Promise.all(ctx.user.teamIds.map((teamId) => ctx.db.get(teamId)));
    return teams.filter((team) => team !== null);
  },
});

export const backfillOwners = migrationMutation({
  args: { cursor: v.union(v.string(), v.null()) },
  handler: async (ctx, { cursor }) => {
    const page = await ctx.db.query("teams").paginate({ cursor, numItems: 100 });
    for (const team of page.page) {
      const owner = await ctx.db.get(team.ownerId);
      if (owner && !owner.teamIds.includes(team._id)) {
        await ctx.db.patch(owner._id, { teamIds: [...owner.teamIds, team._id] });
      }
    }
    return page.continueCursor;
  },
});
