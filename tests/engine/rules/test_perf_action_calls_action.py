"""perf/action-calls-action: ctx.runAction within one runtime."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "perf/action-calls-action"

FLAGGED = [
    flagged("default runtime to default runtime, and node to node", {
        "convex/ai.ts": """
            import { action, internalAction } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const summarize = internalAction({
              args: { text: v.string() },
              handler: async (_ctx, { text }) => {
                const response = await fetch("https://api.example.com/summarize", { method: "POST", body: text });
                return await response.text();
              },
            });

            export const processNote = action({
              args: { noteId: v.id("notes"), text: v.string() },
              handler: async (ctx, { noteId, text }) => {
                const summary = await ctx.runAction(internal.ai.summarize, { text });
                await ctx.runMutation(internal.notes.saveSummary, { noteId, summary });
              },
            });
        """,
        "convex/pdf.ts": """
            "use node";
            import { internalAction } from "./_generated/server";
            import { internal } from "./_generated/api";
            import { v } from "convex/values";

            export const render = internalAction({
              args: { html: v.string() },
              handler: async (_ctx, { html }) => html,
            });

            export const renderAll = internalAction({
              args: { pages: v.array(v.string()) },
              handler: async (ctx, { pages }) => {
                const first = await ctx.runAction(internal.pdf.render, { html: pages[0] });
                return first;
              },
            });
        """,
    }, ("convex/ai.ts", "ctx.runAction(internal.ai.summarize"), ("convex/pdf.ts", "ctx.runAction(internal.pdf.render")),
]

CLEAN = [
    clean("crossing into the Node runtime and unresolved targets", {
        "convex/images.ts": """
            import { action } from "./_generated/server";
            import { internal, components } from "./_generated/api";
            import { v } from "convex/values";

            export const upload = action({
              args: { storageId: v.id("_storage") },
              handler: async (ctx, { storageId }) => {
                const thumb = await ctx.runAction(internal.sharp.thumbnail, { storageId });
                await ctx.runAction(components.workpool.lib.enqueue, { fn: "x" });
                await ctx.runAction(internal.missing.module, {});
                return thumb;
              },
            });
        """,
        "convex/sharp.ts": """
            "use node";
            import { internalAction } from "./_generated/server";
            import { v } from "convex/values";
            import sharp from "sharp";

            export const thumbnail = internalAction({
              args: { storageId: v.id("_storage") },
              handler: async (ctx, { storageId }) => {
                const blob = await ctx.storage.get(storageId);
                const out = await sharp(Buffer.from(await blob!.arrayBuffer())).resize(128).toBuffer();
                return await ctx.storage.store(new Blob([out]));
              },
            });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_actions_calling_actions_in_the_same_runtime(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_runtime_crossings_and_unknown_targets(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
