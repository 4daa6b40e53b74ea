"""auth/public-function-without-auth: public mutations and actions that never ask who calls."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "auth/public-function-without-auth"

AUTH_CONFIG = """
    export default {
      providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: "convex" }],
    };
"""

FLAGGED = [
    flagged("a Convex Auth project (no auth.config.ts) with an unchecked mutation", {
        "convex/auth.ts": """
            import { convexAuth } from "@convex-dev/auth/server";
            import { Password } from "@convex-dev/auth/providers/Password";
            export const { auth, signIn, signOut, store, isAuthenticated } = convexAuth({ providers: [Password] });
        """,
        "convex/notes.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            export const wipe = mutation({
              args: { id: v.id("notes") },
              handler: async (ctx, { id }) => {
                await ctx.db.delete(id);
              },
            });
        """,
    }, ("convex/notes.ts", "export const wipe")),
    flagged("a public mutation and action in a Clerk project, one calling a helper that only reads", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/lib/posts.ts": """
            import { QueryCtx } from "../_generated/server";

            // Named like a guard, but it never asks who is calling.
            export async function requirePostOwner(ctx: QueryCtx, postId: any) {
              return await ctx.db.get(postId);
            }
        """,
        "convex/posts.ts": """
            import { action, mutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";
            import { requirePostOwner } from "./lib/posts";

            export const remove = mutation({
              args: { id: v.id("posts") },
              handler: async (ctx, { id }) => {
                await requirePostOwner(ctx, id);
                await ctx.db.delete(id);
              },
            });

            export const summarize = action({
              args: { id: v.id("posts") },
              handler: async (ctx, { id }) => {
                const res = await fetch("https://api.openai.com/v1/chat/completions", { method: "POST" });
                await ctx.runMutation(internal.posts.saveSummary, { id, text: await res.text() });
              },
            });
        """,
    }, ("convex/posts.ts", "export const remove"), ("convex/posts.ts", "export const summarize")),
    flagged("identity calls whose answer is thrown away or never read", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/lib/session.ts": """
            import { getAuthUserId } from "@convex-dev/auth/server";
            import { MutationCtx } from "../_generated/server";

            // Looks the caller up and forgets the answer: it checks nothing.
            export async function touchSession(ctx: MutationCtx) {
              await getAuthUserId(ctx);
            }
        """,
        "convex/jobs.ts": """
            import { action, mutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";
            import { touchSession } from "./lib/session";

            export const wipeAll = mutation({
              args: {},
              handler: async (ctx) => {
                await ctx.auth.getUserIdentity();
                for (const post of await ctx.db.query("posts").take(100)) {
                  await ctx.db.delete(post._id);
                }
              },
            });

            export const overwrite = mutation({
              args: { id: v.id("posts"), body: v.string() },
              handler: async (ctx, { id, body }) => {
                const identity = await ctx.auth.getUserIdentity();
                await ctx.db.patch(id, { body });
              },
            });

            export const startPaidJob = action({
              args: { prompt: v.string() },
              handler: async (ctx, { prompt }) => {
                void ctx.auth.getUserIdentity();
                await touchSession(ctx as any);
                await ctx.runMutation(internal.jobs.enqueue, { prompt });
              },
            });
        """,
    }, ("convex/jobs.ts", "export const wipeAll"), ("convex/jobs.ts", "export const overwrite"),
       ("convex/jobs.ts", "export const startPaidJob")),
    flagged("an action that only schedules a function that checks (a scheduled run has no identity)", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/users.ts": """
            import { mutation } from "./_generated/server";
            export const touch = mutation({
              args: {},
              handler: async (ctx) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthorized");
              },
            });
        """,
        "convex/later.ts": """
            import { action } from "./_generated/server";
            import { api } from "./_generated/api";
            export const kick = action({
              args: {},
              handler: async (ctx) => {
                await ctx.scheduler.runAfter(0, api.users.touch, {});
              },
            });
        """,
    }, ("convex/later.ts", "export const kick")),
    flagged("writes before a check that returns (mutation) or any check (action: no rollback)", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/lib/guard.ts": """
            export async function requireUser(ctx: any) {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthenticated");
              return identity;
            }

            export async function queueCleanup(ctx: any) {
              await ctx.scheduler.runAfter(0, internal.docs.purge, {});
            }
        """,
        "convex/docs.ts": """
            import { action, mutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";
            import { queueCleanup, requireUser } from "./lib/guard";

            export const rename = mutation({
              args: { id: v.id("docs"), title: v.string() },
              handler: async (ctx, { id, title }) => {
                const identity = await ctx.auth.getUserIdentity();
                await ctx.db.patch(id, { title });
                if (!identity) return null;
                return identity.subject;
              },
            });

            export const publishAll = action({
              args: {},
              handler: async (ctx) => {
                await ctx.runMutation(internal.docs.publishEverything, {});
                await requireUser(ctx);
              },
            });

            export const reset = action({
              args: {},
              handler: async (ctx) => {
                await queueCleanup(ctx);
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
              },
            });
        """,
    }, ("convex/docs.ts", "await ctx.db.patch(id, { title });"),
       ("convex/docs.ts", "await ctx.runMutation(internal.docs.publishEverything"),
       ("convex/lib/guard.ts", "await ctx.scheduler.runAfter(0, internal.docs.purge")),
    flagged("code out of sight handed only the database cannot check who is calling", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/rows.ts": """
            import { mutation } from "./_generated/server";
            import { eachOf, firstOf } from "@/kit/server/rel";

            export const wipeOne = mutation({
              args: {},
              handler: async (ctx) => {
                const row = await firstOf(ctx.db, "users");
                if (row) await eachOf([row], (r: any) => ctx.db.delete(r._id));
              },
            });
        """,
    }, ("convex/rows.ts", "export const wipeOne")),
]

CLEAN = [
    clean("auth inline, in an imported helper, in a custom builder and via Convex Auth", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/lib/auth.ts": """
            import { MutationCtx, QueryCtx } from "../_generated/server";

            export async function getCurrentUserOrThrow(ctx: QueryCtx | MutationCtx) {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthorized");
              return identity;
            }
        """,
        "convex/lib/functions.ts": """
            import { customMutation, customCtx } from "convex-helpers/server/customFunctions";
            import { mutation } from "../_generated/server";
            import { getCurrentUserOrThrow } from "./auth";

            export const authedMutation = customMutation(
              mutation,
              customCtx(async (ctx) => ({ user: await getCurrentUserOrThrow(ctx) })),
            );
        """,
        "convex/posts.ts": """
            import { mutation, action, internalMutation, query } from "./_generated/server";
            import { getAuthUserId } from "@convex-dev/auth/server";
            import { v } from "convex/values";
            import { getCurrentUserOrThrow } from "./lib/auth";
            import { authedMutation } from "./lib/functions";

            export const create = mutation({
              args: { title: v.string() },
              handler: async (ctx, args) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) {
                  throw new Error("Unauthorized");
                }
                await ctx.db.insert("posts", { title: args.title, authorId: identity.subject });
              },
            });

            export const rename = mutation({
              args: { id: v.id("posts"), title: v.string() },
              handler: async (ctx, { id, title }) => {
                await getCurrentUserOrThrow(ctx);
                await ctx.db.patch(id, { title });
              },
            });

            export const remove = authedMutation({
              args: { id: v.id("posts") },
              handler: async (ctx, { id }) => {
                await ctx.db.delete(id);
              },
            });

            export const like = mutation({
              args: { id: v.id("posts") },
              handler: async (ctx, { id }) => {
                const userId = await getAuthUserId(ctx);
                if (!userId) throw new Error("Unauthorized");
                await ctx.db.insert("likes", { postId: id, userId });
              },
            });

            export const purge = internalMutation({ args: {}, handler: async (ctx) => {} });
            export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("posts").take(10) });
            export const ping = action({ args: {},
              handler: async (ctx) => { await getCurrentUserOrThrow(ctx as any); } });
        """,
    }),
    clean("identity answers that are used: tested, returned, written, destructured or read", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/lib/me.ts": """
            import { QueryCtx } from "../_generated/server";
            export async function me(ctx: QueryCtx) {
              return await ctx.auth.getUserIdentity();
            }
        """,
        "convex/items.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            import { me } from "./lib/me";

            export const add = mutation({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                const identity = await ctx.auth.getUserIdentity();
                await ctx.db.insert("items", { text, owner: identity?.subject });
              },
            });

            export const own = mutation({
              args: { id: v.id("items") },
              handler: async (ctx, { id }) => {
                const { subject } = (await ctx.auth.getUserIdentity())!;
                await ctx.db.patch(id, { owner: subject });
              },
            });

            export const drop = mutation({
              args: { id: v.id("items") },
              handler: async (ctx, { id }) => {
                const caller = await me(ctx);
                if (caller === null) return;
                await ctx.db.delete(id);
              },
            });
        """,
    }),
    clean("an action that asks a query who is calling (the identity goes along with ctx.runQuery)", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/users.ts": """
            import { query } from "./_generated/server";
            export const current = query({
              args: {},
              handler: async (ctx) => {
                const identity = await ctx.auth.getUserIdentity();
                if (identity === null) return null;
                return await ctx.db.query("users").withIndex("by_token", (q) => q.eq("token", identity.subject))
                  .unique();
              },
            });
        """,
        "convex/billing.ts": """
            import { action } from "./_generated/server";
            import { api } from "./_generated/api";
            export const checkout = action({
              args: {},
              handler: async (ctx) => {
                const user = await ctx.runQuery(api.users.current);
                if (!user) throw new Error("Sign in first");
                return user._id;
              },
            });
        """,
    }),
    clean("a Convex Auth project whose mutations check through getAuthUserId", {
        "convex/auth.ts": """
            import { convexAuth } from "@convex-dev/auth/server";
            import { Password } from "@convex-dev/auth/providers/Password";
            export const { auth, signIn, signOut, store, isAuthenticated } = convexAuth({ providers: [Password] });
        """,
        "convex/notes.ts": """
            import { mutation } from "./_generated/server";
            import { getAuthUserId } from "@convex-dev/auth/server";
            import { v } from "convex/values";
            export const add = mutation({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                const userId = await getAuthUserId(ctx);
                if (userId === null) throw new Error("Not signed in");
                await ctx.db.insert("notes", { text, userId });
              },
            });
        """,
    }),
    clean("a project without sign-in: public by design (the seed's createUser)", {
        "convex/mutations.ts": """
            import { mutation } from "./_generated/server";
            import { api } from "./_generated/api";
            import { v } from "convex/values";

            export const createUser = mutation({
              args: { clerkId: v.string(), email: v.string(), name: v.string() },
              handler: async (ctx, args) => {
                const userId = await ctx.db.insert("users", {
                  clerkId: args.clerkId,
                  email: args.email,
                  name: args.name,
                  createdAt: Date.now(),
                });
                await ctx.scheduler.runAfter(0, api.actions.sendWelcomeEmail, { email: args.email, name: args.name });
                return userId;
              },
            });
        """,
    }),
    clean("helpers the auditor cannot see into: a path alias and a wrapped handler", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/notes.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            import { requireUser } from "@/convex/lib/auth";
            import { withUser } from "convex-helpers-wrappers";

            export const add = mutation({
              args: { text: v.string() },
              handler: async (ctx, { text }) => {
                const user = await requireUser(ctx);
                await ctx.db.insert("notes", { text, userId: user._id });
              },
            });

            export const clear = mutation({
              args: {},
              handler: withUser(async (ctx) => {
                await ctx.db.delete(ctx.user._id);
              }),
            });
        """,
    }),
    clean("checks that take effect before the writes they guard", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/lib/guard.ts": """
            export async function requireUser(ctx: any) {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthenticated");
              return identity.subject;
            }

            export async function getOrCreateUser(ctx: any) {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthenticated");
              const found = await ctx.db.query("users").withIndex("by_token", (q: any) =>
                q.eq("tokenIdentifier", identity.tokenIdentifier)).unique();
              return found?._id ?? (await ctx.db.insert("users", { tokenIdentifier: identity.tokenIdentifier }));
            }
        """,
        "convex/docs.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            import { getOrCreateUser, requireUser } from "./lib/guard";

            export const create = mutation({
              args: { title: v.string() },
              handler: async (ctx, { title }) => {
                return await ctx.db.insert("docs", { title, owner: await requireUser(ctx) });
              },
            });

            export const join = mutation({
              args: { id: v.id("docs") },
              handler: async (ctx, { id }) => {
                const userId = await getOrCreateUser(ctx);
                await ctx.db.patch(id, { lastEditor: userId });
              },
            });

            export const rename = mutation({
              args: { id: v.id("docs"), title: v.string() },
              handler: async (ctx, { id, title }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
                await ctx.db.patch(id, { title });
              },
            });

            // One transaction: the check throws, and the write before it is rolled back.
            export const retitle = mutation({
              args: { id: v.id("docs"), title: v.string() },
              handler: async (ctx, { id, title }) => {
                const identity = await ctx.auth.getUserIdentity();
                await ctx.db.patch(id, { title });
                if (!identity) throw new Error("Unauthenticated");
              },
            });

            export const publish = mutation({
              args: { id: v.id("docs") },
              handler: async (ctx, { id }) => {
                await ctx.db.patch(id, { published: true });
                await requireUser(ctx);
              },
            });
        """,
    }),
    clean("a test-only builder that throws unless the environment allows it", {
        "convex/auth.config.ts": AUTH_CONFIG,
        "convex/testing.ts": """
            import { customMutation } from "convex-helpers/server/customFunctions";
            import { mutation } from "./_generated/server";

            const testOnly = customMutation(mutation, {
              args: {},
              input: async () => {
                if (process.env.IS_TEST === undefined) throw new Error("test only");
                return { ctx: {}, args: {} };
              },
            });

            export const reset = testOnly({
              args: {},
              handler: async (ctx) => {
                for (const row of await ctx.db.query("notes").take(100)) await ctx.db.delete(row._id);
              },
            });

            export const seed = mutation({
              args: {},
              handler: async (ctx) => {
                if (process.env.ALLOW_SEED !== "1") {
                  throw new Error("Seeding is disabled here");
                }
                await ctx.db.insert("notes", { text: "hello" });
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_public_writes_that_never_check_identity(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_auth_checked_anywhere_it_can_be(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
