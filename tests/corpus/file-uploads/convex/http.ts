import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";
import { internal } from "./_generated/api";
import { Id } from "./_generated/dataModel";

const http = httpRouter();

const corsHeaders = {
  "Access-Control-Allow-Origin": process.env.CLIENT_ORIGIN ?? "*",
  "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Digest, Authorization",
  "Access-Control-Max-Age": "86400",
  Vary: "origin",
};

http.route({
  path: "/sendImage",
  method: "POST",
  handler: httpAction(async (ctx, request) => {
    const token = request.headers.get("Authorization");
    if (!token) {
      return new Response("Unauthorized", { status: 401, headers: corsHeaders });
    }
    const blob = await request.blob();
    const storageId = await ctx.storage.store(blob);
    const author = new URL(request.url).searchParams.get("author");
    await ctx.runMutation(internal.uploads.record, { storageId, author: author ?? "anonymous" });
    return new Response(null, { status: 200, headers: corsHeaders });
  }),
});

http.route({
  path: "/sendImage",
  method: "OPTIONS",
  handler: httpAction(async (_, request) => {
    const headers = request.headers;
    if (
      headers.get("Origin") !== null &&
      headers.get("Access-Control-Request-Method") !== null &&
      headers.get("Access-Control-Request-Headers") !== null
    ) {
      return new Response(null, { headers: new Headers(corsHeaders) });
    }
    return new Response();
  }),
});

http.route({
  path: "/getImage",
  method: "GET",
  handler: httpAction(async (ctx, request) => {
    const { searchParams } = new URL(request.url);
    const storageId = searchParams.get("storageId")! as Id<"_storage">;
    const blob = await ctx.storage.get(storageId);
    if (blob === null) {
      return new Response(JSON.stringify({ error: "Image not found" }), {
        headers: { "Content-Type": "application/json" },
      });
    }
    return new Response(blob, { headers: corsHeaders });
  }),
});

export default http;
