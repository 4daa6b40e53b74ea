"""perf/unpaginated-public-list: a public query returning .collect() results."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "perf/unpaginated-public-list"

FLAGGED = [
    flagged("direct, arrow body, through a local and mapped", {
        "convex/messages.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const list = query({
              args: { channelId: v.id("channels") },
              handler: async (ctx, { channelId }) => {
                return await ctx.db
                  .query("messages")
                  .withIndex("by_channel", (q) => q.eq("channelId", channelId))
                  .collect();
              },
            });

            export const all = query({ args: {}, handler: async (ctx) => ctx.db.query("messages").collect() });

            export const withAuthors = query({
              args: {},
              handler: async (ctx) => {
                const messages = await ctx.db.query("messages").order("desc").collect();
                return Promise.all(
                  messages.map(async (message) => ({ ...message, author: await ctx.db.get(message.authorId) })),
                );
              },
            });
        """,
    }, ("convex/messages.ts", ".collect();"), ("convex/messages.ts", "export const all"),
       ("convex/messages.ts", "const messages =")),
    flagged("a list narrowed and decorated through locals before it is returned", {
        "convex/files.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const inFolder = query({
              args: { folderId: v.id("folders"), kind: v.optional(v.string()) },
              handler: async (ctx, args) => {
                let files = await ctx.db.query("files").withIndex("by_folder", (q) => q.eq("folderId", args.folderId))
                  .collect();
                if (args.kind) files = files.filter((file) => file.kind === args.kind);
                const withUrls = await Promise.all(
                  files.map(async (file) => ({ ...file, url: await ctx.storage.getUrl(file.storageId) })),
                );
                return withUrls;
              },
            });

            export const counted = query({
              args: {},
              handler: async (ctx) => {
                const folders = await ctx.db.query("folders").collect();
                const rows = Promise.all(folders.map(async (folder) => ({ ...folder, size: 0 })));
                return rows;
              },
            });
        """,
    }, ("convex/files.ts", "  .collect();"), ("convex/files.ts", "const folders =")),
]

CLEAN = [
    clean("paginated, bounded, aggregated, internal and helper-returned lists", {
        "convex/messages.ts": """
            import { query, internalQuery } from "./_generated/server";
            import { paginationOptsValidator } from "convex/server";
            import { v } from "convex/values";

            export const page = query({
              args: { paginationOpts: paginationOptsValidator },
              handler: async (ctx, { paginationOpts }) =>
                await ctx.db.query("messages").order("desc").paginate(paginationOpts),
            });

            export const latest = query({ args: {}, handler: async (ctx) => await ctx.db.query("messages").take(20) });

            export const count = query({
              args: {},
              handler: async (ctx) => {
                const rows = await ctx.db.query("messages").collect();
                return rows.length;
              },
            });

            export const exportAll = internalQuery({
              args: {},
              handler: async (ctx) => await ctx.db.query("messages").collect(),
            });

            export const mine = query({
              args: {},
              handler: async (ctx) => {
                const rows = await ctx.db.query("messages").collect();
                return rows.map((row) => {
                  return row.body;
                }).length;
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_public_queries_returning_collected_lists(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_paginated_bounded_and_internal_lists(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
