"""auth/spoofable-identity-arg: access decided by identity arguments the client chooses."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "auth/spoofable-identity-arg"

FLAGGED = [
    flagged("ownership compared with a userId argument, a role literal, an isAdmin flag", {
        "convex/notes.ts": """
            import { mutation, query } from "./_generated/server";
            import { v } from "convex/values";

            export const remove = mutation({
              args: { noteId: v.id("notes"), userId: v.id("users") },
              handler: async (ctx, { noteId, userId }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
                const note = await ctx.db.get(noteId);
                if (note?.ownerId !== userId) throw new Error("Forbidden");
                await ctx.db.delete(noteId);
              },
            });

            export const adminList = query({
              args: { role: v.string(), isAdmin: v.optional(v.boolean()) },
              handler: async (ctx, args) => {
                if (args.role === "admin" || args.isAdmin) {
                  return await ctx.db.query("notes").take(100);
                }
                return [];
              },
            });
        """,
    }, ("convex/notes.ts", "note?.ownerId !== userId"), ("convex/notes.ts", 'args.role === "admin"'),
        ("convex/notes.ts", "|| args.isAdmin")),
    flagged("an owner written from an argument by a function that never checks identity", {
        "convex/posts.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const create = mutation({
              args: { authorId: v.id("users"), title: v.string() },
              handler: async (ctx, args) => {
                return await ctx.db.insert("posts", {
                  title: args.title,
                  authorId: args.authorId,
                });
              },
            });
        """,
    }, ("convex/posts.ts", "authorId: args.authorId")),
    flagged("a helper that only looks the user up does not verify the argument", {
        "convex/lib/users.ts": """
            export async function loadUser(ctx: any, userId: string) {
              return await ctx.db.get(userId);
            }
        """,
        "convex/events.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            import { loadUser } from "./lib/users";

            export const remove = mutation({
              args: { id: v.id("events"), userId: v.id("users") },
              handler: async (ctx, args) => {
                await loadUser(ctx, args.userId);
                const event = await ctx.db.get(args.id);
                if (!event || event.userId !== args.userId) throw new Error("Unauthorized");
                await ctx.db.delete(args.id);
              },
            });
        """,
    }, ("convex/events.ts", "event.userId !== args.userId")),
    flagged("the member written from an argument, not the role set beside it", {
        "convex/teams.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const join = mutation({
              args: { teamId: v.id("teams"), userId: v.id("users"), role: v.string() },
              handler: async (ctx, args) => {
                await ctx.db.insert("members", {
                  teamId: args.teamId,
                  userId: args.userId,
                  role: args.role,
                });
              },
            });
        """,
        "convex/me.ts": """
            import { query } from "./_generated/server";

            export const me = query({
              args: {},
              handler: async (ctx) => {
                const identity = await ctx.auth.getUserIdentity();
                return identity?.subject ?? null;
              },
            });
        """,
    }, ("convex/teams.ts", "userId: args.userId")),
]

CLEAN = [
    clean("the argument verified against the identity first", {
        "convex/notes.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const remove = mutation({
              args: { noteId: v.id("notes"), userId: v.string() },
              handler: async (ctx, { noteId, userId }) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity || identity.subject !== userId) throw new Error("Forbidden");
                const note = await ctx.db.get(noteId);
                if (note?.ownerId !== userId) throw new Error("Forbidden");
                await ctx.db.delete(noteId);
              },
            });
        """,
    }),
    clean("the argument handed to a project helper that checks the identity", {
        "convex/lib/users.ts": """
            export async function validateUser(ctx: any, userId: string) {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthenticated");
              const user = await ctx.db.get(userId);
              if (!user || user.tokenIdentifier !== identity.tokenIdentifier) throw new Error("Forbidden");
              return user;
            }
        """,
        "convex/transactions.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            import { validateUser } from "./lib/users";

            export const categorize = mutation({
              args: { userId: v.id("users"), txId: v.id("transactions"), categoryId: v.id("categories") },
              handler: async (ctx, args) => {
                await validateUser(ctx, args.userId);
                const tx = await ctx.db.get(args.txId);
                if (!tx || tx.userId !== args.userId) throw new Error("Not found");
                await ctx.db.patch(args.txId, { categoryId: args.categoryId });
              },
            });
        """,
    }),
    clean("ownership checked against the authenticated user, internal functions, admin writes", {
        "convex/lib/auth.ts": """
            export async function requireUser(ctx: any) {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthenticated");
              return await ctx.db
                .query("users")
                .withIndex("by_token", (q: any) => q.eq("tokenIdentifier", identity.tokenIdentifier))
                .unique();
            }
        """,
        "convex/notes.ts": """
            import { mutation, internalMutation, query } from "./_generated/server";
            import { v } from "convex/values";
            import { requireUser } from "./lib/auth";

            export const remove = mutation({
              args: { noteId: v.id("notes") },
              handler: async (ctx, { noteId }) => {
                const user = await requireUser(ctx);
                const note = await ctx.db.get(noteId);
                if (note?.ownerId !== user._id) throw new Error("Forbidden");
                await ctx.db.delete(noteId);
              },
            });

            export const transfer = internalMutation({
              args: { noteId: v.id("notes"), userId: v.id("users") },
              handler: async (ctx, { noteId, userId }) => {
                const note = await ctx.db.get(noteId);
                if (note?.ownerId === userId) return;
                await ctx.db.patch(noteId, { ownerId: userId });
              },
            });

            export const teamTasks = query({
              args: { userId: v.optional(v.id("users")) },
              handler: async (ctx, args) => {
                await requireUser(ctx);
                const tasks = await ctx.db.query("tasks").take(100);
                return tasks.filter(
                  (task) => !args.userId || task.assigneeId === args.userId || task.ownerId === args.userId,
                );
              },
            });

            export const addMember = mutation({
              args: { orgId: v.id("orgs"), email: v.string(), role: v.string() },
              handler: async (ctx, args) => {
                const user = await requireUser(ctx);
                if (args.role === "owner") throw new Error("Only one owner");
                await ctx.db.insert("invites", { orgId: args.orgId, email: args.email, role: args.role, by: user._id });
              },
            });

            export const invite = mutation({
              args: { orgId: v.id("orgs"), userId: v.id("users") },
              handler: async (ctx, { orgId, userId }) => {
                await requireUser(ctx);
                await ctx.db.insert("members", { orgId, userId, role: "member" });
              },
            });
        """,
    }),
    clean("an admin setting another user's role, and a role looked up rather than claimed", {
        "convex/lib/admin.ts": """
            export async function requireAdmin(ctx: any) {
              const identity = await ctx.auth.getUserIdentity();
              if (!identity) throw new Error("Unauthenticated");
              const me = await ctx.db
                .query("users")
                .withIndex("by_token", (q: any) => q.eq("tokenIdentifier", identity.tokenIdentifier))
                .unique();
              if (me?.role !== "admin") throw new Error("Forbidden");
              return me;
            }

            export async function applyRole(ctx: any, userId: string, role: string) {
              await ctx.db.patch(userId, { role, updatedAt: Date.now() });
            }
        """,
        "convex/users.ts": """
            import { mutation, query } from "./_generated/server";
            import { v } from "convex/values";
            import { applyRole, requireAdmin } from "./lib/admin";

            export const setRole = mutation({
              args: { userId: v.id("users"), role: v.string() },
              handler: async (ctx, args) => {
                await requireAdmin(ctx);
                if (args.role === "owner") throw new Error("There is one owner");
                await applyRole(ctx, args.userId, args.role);
              },
            });

            export const setRoleInline = mutation({
              args: { userId: v.id("users"), role: v.string() },
              handler: async (ctx, { userId, role }) => {
                await requireAdmin(ctx);
                await ctx.db.patch(userId, { role });
              },
            });

            export const fieldsForRole = query({
              args: { role: v.string() },
              handler: async (ctx, args) => {
                const rows = await ctx.db
                  .query("fieldRules")
                  .withIndex("by_role", (q) => q.eq("role", args.role))
                  .take(50);
                if (args.role === "admin") return { editable: true, rows };
                return { editable: false, rows };
              },
            });
        """,
    }),
    clean("an address stored as a contact's email", {
        "convex/contacts.ts": """
            import { mutation, query } from "./_generated/server";
            import { v } from "convex/values";

            export const create = mutation({
              args: { name: v.string(), email: v.string() },
              handler: async (ctx, args) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthenticated");
                return await ctx.db.insert("contacts", { name: args.name, email: args.email });
              },
            });

            export const createUnchecked = mutation({
              args: { name: v.string(), email: v.string() },
              handler: async (ctx, args) => {
                return await ctx.db.insert("contacts", { name: args.name, email: args.email });
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_access_decided_by_client_identity_arguments(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_access_decided_by_the_authenticated_identity(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
