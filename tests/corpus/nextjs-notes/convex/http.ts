import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";
import { api } from "./_generated/api";

const http = httpRouter();

http.route({
  path: "/export",
  method: "GET",
  handler: httpAction(async (ctx) => {
    const notes = await ctx.runQuery(api.notes.list, {});
    return new Response(JSON.stringify(notes), {
      status: 200,
      headers: { "Content-Type": "application/json" },
    });
  }),
});

export default http;
