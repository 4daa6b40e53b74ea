"""correctness/run-with-string-ref: strings where a function reference belongs."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "correctness/run-with-string-ref"

PACKAGE = '{ "dependencies": { "convex": "^1.17.0" } }'

FLAGGED = [
    flagged("scheduler and runMutation given module:name strings, directly and through a constant", {
        "package.json": PACKAGE,
        "convex/emails.ts": """
            import { action, mutation } from "./_generated/server";

            const SEND = "emails:send";

            export const queue = mutation({
              args: {},
              handler: async (ctx) => {
                await ctx.scheduler.runAfter(0, "emails:send", { to: "a@b.c" });
              },
            });

            export const deliver = action({
              args: {},
              handler: async (ctx) => {
                await ctx.runMutation(SEND, {});
              },
            });
        """,
    }, ("convex/emails.ts", 'runAfter(0, "emails:send"'), ("convex/emails.ts", "ctx.runMutation(SEND")),
]

CLEAN = [
    clean("references, a cast string, a function handle and makeFunctionReference", {
        "package.json": PACKAGE,
        "convex/emails.ts": """
            import { mutation } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { makeFunctionReference } from "convex/server";

            export const queue = mutation({
              args: {},
              handler: async (ctx) => {
                await ctx.scheduler.runAfter(0, internal.emails.send, {});
                await ctx.scheduler.runAfter(0, "emails:send" as any, {});
                await ctx.runMutation("function://abc123", {});
                await ctx.scheduler.runAfter(0, makeFunctionReference<"mutation">("emails:send"), {});
              },
            });
        """,
    }),
    clean("a JavaScript project, where strings run", {
        "package.json": PACKAGE,
        "convex/emails.js": """
            import { mutation } from "./_generated/server";

            export const queue = mutation({
              args: {},
              handler: async (ctx) => {
                await ctx.scheduler.runAfter(0, "emails:send", {});
              },
            });
        """,
    }),
    clean("a Convex version from before function references", {
        "package.json": '{ "dependencies": { "convex": "0.16.1" } }',
        "convex/emails.ts": """
            import { mutation } from "./_generated/server";

            export const queue = mutation(async (ctx) => {
              await ctx.scheduler.runAfter(0, "emails:send", {});
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_strings_given_as_function_references(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_references_casts_and_old_versions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
