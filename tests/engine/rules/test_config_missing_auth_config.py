"""config/missing-auth-config: identity read with no auth.config.ts in the Convex folder."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "config/missing-auth-config"

MESSAGES = """
    import { mutation, query } from "./_generated/server";
    import { v } from "convex/values";

    export const send = mutation({
      args: { body: v.string() },
      handler: async (ctx, { body }) => {
        const identity = await ctx.auth.getUserIdentity();
        if (!identity) throw new Error("Unauthenticated");
        await ctx.db.insert("messages", { body, author: identity.subject });
      },
    });

    export const mine = query({
      args: {},
      handler: async (ctx) => {
        const identity = await ctx.auth.getUserIdentity();
        return identity ? await ctx.db.query("messages").take(10) : [];
      },
    });
"""

FLAGGED = [
    flagged("ctx.auth read in two functions, reported once at the first", {
        "convex/messages.ts": MESSAGES,
    }, ("convex/messages.ts", "ctx.auth.getUserIdentity()")),
    flagged("Convex Auth's helper in a monorepo backend package", {
        "convex.json": '{"functions": "packages/backend/convex"}',
        "packages/backend/convex/users.ts": """
            import { getAuthUserId } from "@convex-dev/auth/server";
            import { query } from "./_generated/server";

            export const viewer = query({
              args: {},
              handler: async (ctx) => {
                const userId = await getAuthUserId(ctx);
                return userId === null ? null : await ctx.db.get(userId);
              },
            });
        """,
    }, ("packages/backend/convex/users.ts", "getAuthUserId(ctx)")),
]

CLEAN = [
    clean("auth.config.ts present", {
        "convex/messages.ts": MESSAGES,
        "convex/auth.config.ts": """
            export default {
              providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: "convex" }],
            };
        """,
    }),
    clean("auth.config.js in a JavaScript project, and a project that never reads identity", {
        "convex/auth.config.js": """
            export default {
              providers: [{ domain: "https://x.clerk.accounts.dev", applicationID: "convex" }],
            };
        """,
        "convex/messages.js": """
            import { mutation } from "./_generated/server";
            export const send = mutation({
              args: {},
              handler: async (ctx) => {
                const identity = await ctx.auth.getUserIdentity();
                return identity?.subject ?? null;
              },
            });
        """,
    }),
    clean("no identity read at all", {
        "convex/counter.ts": """
            import { mutation } from "./_generated/server";
            export const bump = mutation({ args: {}, handler: async (ctx) => await ctx.db.insert("hits", {}) });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_identity_reads_without_auth_config(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_projects_with_auth_config_or_without_identity(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
