"""auth/public-query-exposes-private-data: public queries handing private fields to anyone."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "auth/public-query-exposes-private-data"

SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { v } from "convex/values";

    export default defineSchema({
      users: defineTable({
        name: v.string(),
        email: v.string(),
        tokenIdentifier: v.string(),
        tokenCount: v.number(),
        emailVerified: v.boolean(),
      }).index("by_token", ["tokenIdentifier"]),
      posts: defineTable({ title: v.string(), authorId: v.id("users") }),
      invites: defineTable({ team: v.string(), inviteToken: v.optional(v.string()), contactEmail: v.string() }),
      stats: defineTable({ tokenCount: v.number(), emailVerified: v.boolean(), emailTemplate: v.string() }),
      publicProfiles: defineTable({ handle: v.string(), paypalEmail: v.string() }),
    });
"""

AUTH_SCHEMA = """
    import { defineSchema, defineTable } from "convex/server";
    import { authTables } from "@convex-dev/auth/server";
    import { v } from "convex/values";

    export default defineSchema({
      ...authTables,
      messages: defineTable({ body: v.string(), userId: v.id("users") }),
    });
"""

USER_HELPERS = """
    import { DatabaseReader, QueryCtx } from "../_generated/server";

    export async function getAll(ctx: QueryCtx) {
      return await ctx.db.query("users").collect();
    }

    export async function listUsers(ctx: QueryCtx) {
      return await getAll(ctx);
    }

    export async function listNames(ctx: QueryCtx) {
      return (await getAll(ctx)).map((u) => ({ _id: u._id, name: u.name }));
    }

    export function byToken(db: DatabaseReader, token: string) {
      return db.query("users").withIndex("by_token", (q) => q.eq("tokenIdentifier", token)).unique();
    }
"""

FLAGGED = [
    flagged("whole documents: collect, get by an id argument, a document read through another's id field", {
        "convex/schema.ts": SCHEMA,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const all = query({ args: {}, handler: (ctx) => ctx.db.query("users").collect() });

            export const byId = query({
              args: { userId: v.id("users") },
              handler: async (ctx, { userId }) => {
                const user = await ctx.db.get(userId);
                if (!user) return null;
                return user;
              },
            });

            export const post = query({
              args: { id: v.id("posts") },
              handler: async (ctx, args) => {
                const post = await ctx.db.get(args.id);
                if (!post) return null;
                const author = await ctx.db.get(post.authorId);
                return { ...post, author };
              },
            });
        """,
    }, ("convex/users.ts", "export const all"), ("convex/users.ts", "return user;"),
       ("convex/users.ts", "return { ...post, author }")),
    flagged("fields picked in a map, a spread that keeps them, a paginate result, a rest that keeps them", {
        "convex/schema.ts": SCHEMA,
        "convex/invites.ts": """
            import { query } from "./_generated/server";
            import { paginationOptsValidator } from "convex/server";
            import { v } from "convex/values";

            export const list = query({
              args: {},
              handler: async (ctx) => {
                const invites = await ctx.db.query("invites").take(20);
                return invites.map((invite) => ({ team: invite.team, email: invite.contactEmail }));
              },
            });

            export const withUrls = query({
              args: {},
              handler: async (ctx) => {
                const invites = await ctx.db.query("invites").take(20);
                return Promise.all(invites.map(async (invite) => ({ ...invite, tokenUsed: false })));
              },
            });

            export const page = query({
              args: { paginationOpts: paginationOptsValidator },
              handler: async (ctx, args) => {
                const result = await ctx.db.query("users").paginate(args.paginationOpts);
                return { ...result, page: result.page.map((user) => ({ ...user, avatar: null })) };
              },
            });

            export const trimmed = query({
              args: { id: v.id("invites") },
              handler: async (ctx, args) => {
                const invite = await ctx.db.get(args.id);
                if (!invite) return null;
                const { team, ...rest } = invite;
                return rest;
              },
            });
        """,
    }, ("convex/invites.ts", "email: invite.contactEmail"), ("convex/invites.ts", "tokenUsed: false"),
       ("convex/invites.ts", "page: result.page.map"), ("convex/invites.ts", "return rest;")),
    flagged("arguments that are no secret: a country code, a user id string", {
        "convex/schema.ts": SCHEMA,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const byCountry = query({
              args: { countryCode: v.string(), userId: v.string() },
              handler: async (ctx) => ctx.db.query("users").take(10),
            });
        """,
    }, ("convex/users.ts", "handler: async (ctx) =>")),
    flagged("Convex Auth's users table through authTables, after an identity call whose answer is unused", {
        "convex/schema.ts": AUTH_SCHEMA,
        "convex/messages.ts": """
            import { query } from "./_generated/server";

            export const list = query({
              args: {},
              handler: async (ctx) => {
                await ctx.auth.getUserIdentity();
                const messages = await ctx.db.query("messages").order("desc").take(50);
                return Promise.all(messages.map(async (message) => {
                  const author = await ctx.db.get(message.userId);
                  return { ...message, author };
                }));
              },
            });
        """,
    }, ("convex/messages.ts", "return Promise.all")),
    flagged("followed across files: an imported handler, helpers returning documents, ids mapped to get", {
        "convex/schema.ts": SCHEMA,
        "convex/lib/users.ts": USER_HELPERS,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";
            import { byToken, getAll, listUsers } from "./lib/users";

            export const list = query({ args: {}, handler: listUsers });

            export const everyone = query({
              args: {},
              handler: async (ctx) => {
                const rows = await getAll(ctx);
                return rows.map((u) => u);
              },
            });

            export const lookup = query({
              args: { handle: v.string() },
              handler: async (ctx, args) => await byToken(ctx.db, args.handle),
            });

            export const many = query({
              args: { ids: v.array(v.id("users")) },
              handler: async (ctx, { ids }) => await Promise.all(ids.map((id) => ctx.db.get(id))),
            });
        """,
    }, ("convex/lib/users.ts", "return await getAll(ctx);"), ("convex/users.ts", "return rows.map((u) => u);"),
       ("convex/users.ts", "await byToken(ctx.db, args.handle)"), ("convex/users.ts", "await Promise.all(ids.map(")),
]

CLEAN = [
    clean("projections: picked safe fields, rest without them, overridden, deleted, ids and counts", {
        "convex/schema.ts": SCHEMA,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const names = query({
              args: {},
              handler: async (ctx) => {
                const users = await ctx.db.query("users").collect();
                return users.map((user) => ({ _id: user._id, name: user.name }));
              },
            });

            export const safe = query({
              args: { userId: v.id("users") },
              handler: async (ctx, args) => {
                const user = await ctx.db.get(args.userId);
                if (!user) return null;
                const { email, tokenIdentifier, ...profile } = user;
                return profile;
              },
            });

            export const masked = query({
              args: {},
              handler: async (ctx) => {
                const users = await ctx.db.query("users").take(10);
                return users.map((u) => ({ ...u, email: undefined, tokenIdentifier: undefined }));
              },
            });

            export const deleted = query({
              args: { userId: v.id("users") },
              handler: async (ctx, args) => {
                const user = await ctx.db.get(args.userId);
                if (!user) return null;
                delete user.email;
                delete user.tokenIdentifier;
                return user;
              },
            });

            export const counts = query({
              args: {},
              handler: async (ctx) => {
                const users = await ctx.db.query("users").collect();
                return { count: users.length, ids: users.map((u) => u._id), first: users[0]?._id };
              },
            });

            export const stats = query({ args: {}, handler: (ctx) => ctx.db.query("stats").collect() });
            export const profiles = query({ args: {}, handler: (ctx) => ctx.db.query("publicProfiles").collect() });
        """,
    }),
    clean("identity checked, helpers out of sight, internal queries, mutations", {
        "convex/schema.ts": SCHEMA,
        "convex/lib/present.ts": """
            export function present(user: { name: string }) {
              return { name: user.name };
            }
        """,
        "convex/users.ts": """
            import { query, internalQuery, mutation } from "./_generated/server";
            import { present } from "./lib/present";
            import { toPublic } from "@/lib/users";

            export const me = query({
              args: {},
              handler: async (ctx) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) return null;
                return await ctx.db
                  .query("users")
                  .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity.tokenIdentifier))
                  .unique();
              },
            });

            export const presented = query({
              args: {},
              handler: async (ctx) => (await ctx.db.query("users").collect()).map(present),
            });

            export const aliased = query({
              args: {},
              handler: async (ctx) => toPublic(await ctx.db.query("users").collect()),
            });

            export const forBackend = internalQuery({ args: {}, handler: (ctx) => ctx.db.query("users").collect() });
            export const create = mutation({ args: {}, handler: (ctx) => ctx.db.query("users").collect() });
        """,
    }),
    clean("the caller unlocks the data with a secret argument: a session token, an invite token or code", {
        "convex/schema.ts": SCHEMA,
        "convex/sessions.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const current = query({
              args: { sessionToken: v.string() },
              handler: async (ctx, args) => {
                const invite = await ctx.db.query("invites").withIndex("by_token", (q) =>
                  q.eq("inviteToken", args.sessionToken)).first();
                return invite;
              },
            });

            export const byCode = query({
              args: { code: v.string() },
              handler: async (ctx, args) =>
                ctx.db.query("invites").filter((q) => q.eq(q.field("team"), args.code)).unique(),
            });

            export const byInviteCode = query({
              args: { inviteCode: v.string() },
              handler: async (ctx, { inviteCode }) =>
                ctx.db.query("invites").filter((q) => q.eq(q.field("team"), inviteCode)).first(),
            });
        """,
    }),
    clean("a custom builder whose context is out of sight", {
        "convex/schema.ts": SCHEMA,
        "convex/users.ts": """
            import { authedQuery } from "./lib/builders";

            export const all = authedQuery({ args: {}, handler: (ctx) => ctx.db.query("users").collect() });
        """,
        "convex/lib/builders.ts": """
            import { customQuery } from "convex-helpers/server/customFunctions";
            import { query } from "../_generated/server";
            import { requireUser } from "@/lib/auth";

            export const authedQuery = customQuery(query, requireUser);
        """,
    }),
    clean("helpers' documents projected away, by the caller or in the helper", {
        "convex/schema.ts": SCHEMA,
        "convex/lib/users.ts": USER_HELPERS,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";
            import { getAll, listNames } from "./lib/users";

            export const names = query({
              args: {},
              handler: async (ctx) => (await getAll(ctx)).map((u) => ({ name: u.name })),
            });

            export const safeList = query({ args: {}, handler: listNames });

            export const titles = query({
              args: { ids: v.array(v.id("posts")) },
              handler: async (ctx, { ids }) => await Promise.all(ids.map((id) => ctx.db.get(id))),
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_private_fields_returned_to_anyone(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_projections_identity_checks_and_unseen_code(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
