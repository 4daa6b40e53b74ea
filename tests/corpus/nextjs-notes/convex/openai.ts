"use node";

import OpenAI from "openai";
import { internalAction, internalMutation } from "./_generated/server";
import { internal } from "./_generated/api";
import { v } from "convex/values";

export const summarize = internalAction({
  args: { id: v.id("notes"), content: v.string() },
  handler: async (ctx, { id, content }) => {
    const apiKey = process.env.OPENAI_API_KEY;
    if (!apiKey) {
      console.error("OPENAI_API_KEY is not set");
      return;
    }
    const openai = new OpenAI({ apiKey });
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Summarize the note in one sentence." },
        { role: "user", content },
      ],
    });
    const summary = completion.choices[0]?.message.content ?? "";
    await ctx.runMutation(internal.openai.saveSummary, { id, summary });
  },
});

export const saveSummary = internalMutation({
  args: { id: v.id("notes"), summary: v.string() },
  handler: async (ctx, { id, summary }) => {
    await ctx.db.patch(id, { summary });
  },
});
