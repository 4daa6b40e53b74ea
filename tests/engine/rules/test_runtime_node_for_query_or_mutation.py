"""runtime/node-for-query-or-mutation: queries and mutations in "use node" modules."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "runtime/node-for-query-or-mutation"

FLAGGED = [
    flagged("a query and an internal mutation beside a Node action", {
        "convex/email.ts": """
            "use node";
            import { action, query, internalMutation } from "./_generated/server";
            import { v } from "convex/values";
            import nodemailer from "nodemailer";

            export const send = action({
              args: { to: v.string() },
              handler: async (ctx, { to }) => {
                await nodemailer.createTransport({}).sendMail({ to });
              },
            });

            export const status = query({ args: {}, handler: async (ctx) => await ctx.db.query("mail").first() });

            export const record = internalMutation({
              args: { to: v.string() },
              handler: async (ctx, { to }) => {
                await ctx.db.insert("mail", { to });
              },
            });
        """,
    }, ("convex/email.ts", "export const status"), ("convex/email.ts", "export const record")),
]

CLEAN = [
    clean("Node actions only, and queries in a module without the directive", {
        "convex/email.ts": """
            "use node";
            import { action, internalAction } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const send = action({
              args: { to: v.string() },
              handler: async (ctx, { to }) => {
                await ctx.runMutation(internal.mail.record, { to });
              },
            });

            export const retry = internalAction({ args: {}, handler: async () => {} });
        """,
        "convex/mail.ts": """
            // "use node" is only a directive at the top of a file, not in a comment.
            import { query, internalMutation } from "./_generated/server";
            import { v } from "convex/values";

            export const status = query({ args: {}, handler: async (ctx) => await ctx.db.query("mail").first() });

            export const record = internalMutation({
              args: { to: v.string() },
              handler: async (ctx, { to }) => {
                await ctx.db.insert("mail", { to });
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_queries_and_mutations_in_node_modules(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_node_modules_of_actions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
