"""auth/http-without-auth: HTTP actions that write without authenticating the request."""

from __future__ import annotations

import pytest

from tests.engine.fixtures import SIGNED_WEBHOOKS
from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "auth/http-without-auth"

BOOKKEEPING_FUNCTIONS = """
    import { internalMutation } from "./_generated/server";
    import { v } from "convex/values";

    export const markSeen = internalMutation({
      args: { slug: v.string() },
      handler: async (ctx, { slug }) => {
        const page = await ctx.db.query("pages").withIndex("by_slug", (q) => q.eq("slug", slug)).unique();
        if (!page) return;
        await ctx.db.patch(page._id, { seenCount: (page.seenCount ?? 0) + 1, lastSeenAt: Date.now() });
      },
    });

    export const note = internalMutation({
      args: { ip: v.string() },
      handler: async (ctx, { ip }) => {
        await ctx.db.insert("requestLogs", { ip, at: Date.now() });
      },
    });

    export const track = internalMutation({
      args: { slug: v.string(), text: v.string() },
      handler: async (ctx, { slug, text }) => {
        await ctx.db.insert("comments", { slug, text });
      },
    });

    export const setStatus = internalMutation({
      args: { id: v.id("jobs"), status: v.string() },
      handler: async (ctx, { id, status }) => {
        await ctx.db.patch(id, { status });
      },
    });
"""

FLAGGED = [
    flagged("a Clerk webhook that trusts its payload, in a project with no other auth", {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const http = httpRouter();

            http.route({
              path: "/clerk-webhook",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const event = await request.json();
                if (event.type === "user.created") {
                  await ctx.runMutation(internal.users.upsertFromClerk, { data: event.data });
                }
                return new Response(null, { status: 200 });
              }),
            });

            export default http;
        """,
    }, ("convex/http.ts", "http.route({")),
    flagged("an exported httpAction in a project that signs users in", {
        "convex/auth.config.ts": """
            export default { providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: "convex" }] };
        """,
        "convex/messages.ts": """
            import { httpAction, internalMutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const postMessage = httpAction(async (ctx, request) => {
              const { author, body } = await request.json();
              await ctx.runMutation(internal.messages.save, { author, body });
              return new Response(null, { status: 201, headers: { "Access-Control-Allow-Origin": "*" } });
            });

            export const save = internalMutation({
              args: { author: v.string(), body: v.string() },
              handler: async (ctx, args) => {
                await ctx.db.insert("messages", args);
              },
            });
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { postMessage } from "./messages";
            const http = httpRouter();
            http.route({ path: "/postMessage", method: "POST", handler: postMessage });
            export default http;
        """,
    }, ("convex/messages.ts", "export const postMessage")),
    flagged("a write behind a rate limit is still a write (signup); counters and feeds are not", {
        "convex/auth.config.ts": 'export default { providers: [] };\n',
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const http = httpRouter();
            http.route({
              path: "/rss.xml",
              method: "GET",
              handler: httpAction(async (ctx) => {
                await ctx.runMutation(internal.rateLimit.consume, { key: "rss" });
                await ctx.runMutation(internal.feeds.refreshCache, {});
                const posts = await ctx.runQuery(internal.posts.latest, {});
                const body = posts.map((p: any) => p.title).join("");
                return new Response(body, { headers: { "Content-Type": "application/rss+xml" } });
              }),
            });
            http.route({
              path: "/api/posts/view",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const { slug } = await request.json();
                await ctx.runMutation(internal.rateLimits.consume, { key: slug });
                await ctx.runMutation(internal.stats.incrementViewCount, { slug });
                return new Response(null, { status: 204 });
              }),
            });
            http.route({
              path: "/api/signup",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                await ctx.runMutation(internal.rateLimit.consume, { key: "signup" });
                await ctx.runMutation(internal.users.create, await request.json());
                return new Response(null, { status: 201 });
              }),
            });
            export default http;
        """,
    }, ("convex/http.ts", "http.route({", 3)),
    flagged("writes judged by what they write: user data behind a counting name, a scheduled write", {
        "convex/auth.config.ts": 'export default { providers: [] };\n',
        "convex/pages.ts": BOOKKEEPING_FUNCTIONS,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const http = httpRouter();
            http.route({
              path: "/api/track",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const { slug, text } = await request.json();
                await ctx.runMutation(internal.pages.track, { slug, text });
                return new Response(null, { status: 204 });
              }),
            });
            http.route({
              path: "/debug/upload",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const fileId = await ctx.storage.store(await request.blob());
                await ctx.runMutation(internal.pages.note, { ip: fileId });
                return new Response(null, { status: 204 });
              }),
            });
            http.route({
              path: "/api/jobs/status",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const { id, status } = await request.json();
                await ctx.scheduler.runAfter(0, internal.pages.setStatus, { id, status });
                return new Response(null, { status: 202 });
              }),
            });
            export default http;
        """,
    }, ("convex/http.ts", "http.route({", 1), ("convex/http.ts", "http.route({", 2),
       ("convex/http.ts", "http.route({", 3)),
]

CLEAN = [
    clean("webhooks reading signature headers through an alias, verified in the action they run",
          SIGNED_WEBHOOKS),

    clean("Authorization header, svix signature in a helper, shared secret header, identity downstream", {
        "convex/lib/webhooks.ts": """
            import { Webhook } from "svix";

            export async function validateClerkRequest(request: Request) {
              const payload = await request.text();
              const wh = new Webhook(process.env.CLERK_WEBHOOK_SECRET!);
              return wh.verify(payload, {
                "svix-id": request.headers.get("svix-id")!,
                "svix-timestamp": request.headers.get("svix-timestamp")!,
                "svix-signature": request.headers.get("svix-signature")!,
              });
            }
        """,
        "convex/posts.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";
            export const secureAction = mutation({
              args: { text: v.string() },
              handler: async (ctx, args) => {
                const identity = await ctx.auth.getUserIdentity();
                if (!identity) throw new Error("Unauthorized");
                await ctx.db.insert("posts", { text: args.text, author: identity.subject });
              },
            });
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { api, internal } from "./_generated/api";
            import { validateClerkRequest } from "./lib/webhooks";

            const http = httpRouter();

            http.route({
              path: "/authenticated-endpoint",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const authHeader = request.headers.get("Authorization");
                if (!authHeader?.startsWith("Bearer ")) {
                  return new Response(JSON.stringify({ error: "Missing or invalid Authorization header" }),
                    { status: 401 });
                }
                const body = await request.json();
                const result = await ctx.runMutation(api.mutations.secureAction, body);
                return new Response(JSON.stringify({ success: true, data: result }), { status: 200 });
              }),
            });

            http.route({
              path: "/clerk-users-webhook",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const event: any = await validateClerkRequest(request);
                await ctx.runMutation(internal.users.upsertFromClerk, { data: event.data });
                return new Response(null, { status: 200 });
              }),
            });

            http.route({
              path: "/cron-hook",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                if (request.headers.get("x-webhook-secret") !== process.env.HOOK_SECRET) {
                  return new Response("forbidden", { status: 403 });
                }
                await ctx.runAction(internal.jobs.nightly, {});
                return new Response(null, { status: 204 });
              }),
            });

            http.route({
              path: "/posts",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const { text } = await request.json();
                await ctx.runMutation(api.posts.secureAction, { text });
                return new Response(null, { status: 201 });
              }),
            });

            export default http;
        """,
    }),
    clean("the seed's endpoint in a project without any authentication, and a read-only route", {
        "convex/http.ts": """
            import { httpRouter, httpAction } from "convex/server";
            import { api } from "./_generated/api";

            const CORS_HEADERS = { "Access-Control-Allow-Origin": "*" };
            const http = httpRouter();
            http.route({
              path: "/your-endpoint",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const body = await request.json();
                const result = await ctx.runMutation(api.mutations.yourMutation, body);
                return new Response(JSON.stringify({ success: true, data: result }), { status: 200,
                  headers: CORS_HEADERS });
              }),
            });
            http.route({
              path: "/hooks/stats",
              method: "GET",
              handler: httpAction(async (ctx) => Response.json(await ctx.runQuery(api.stats.get, {}))),
            });
            export default http;
        """,
    }),
    clean("bookkeeping told by its writes: counter fields, a log table, a scheduled counter", {
        "convex/auth.config.ts": 'export default { providers: [] };\n',
        "convex/pages.ts": BOOKKEEPING_FUNCTIONS,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            import { internal } from "./_generated/api";

            const http = httpRouter();
            http.route({
              path: "/api/seen",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                const { slug } = await request.json();
                await ctx.runMutation(internal.pages.markSeen, { slug });
                await ctx.runMutation(internal.pages.note, { ip: request.headers.get("x-forwarded-for") ?? "" });
                return new Response(null, { status: 204 });
              }),
            });
            http.route({
              path: "/api/open",
              method: "GET",
              handler: httpAction(async (ctx, request) => {
                const slug = new URL(request.url).searchParams.get("slug") ?? "";
                await ctx.scheduler.runAfter(0, internal.pages.markSeen, { slug });
                return new Response("ok");
              }),
            });
            export default http;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_http_writes_without_authentication(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_tokens_signatures_secrets_and_checked_targets(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
