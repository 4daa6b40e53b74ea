"""storage/manual-url: storage URLs built by hand."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "storage/manual-url"

FLAGGED = [
    flagged("the seed's literal host, the deployment URL variables, in Convex code and frontend", {
        "convex/files.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const getFileUrl = query({
              args: { storageId: v.id("_storage") },
              handler: async (ctx, { storageId }) => {
                const url = `https://your-deployment.convex.cloud/storage/${storageId}`;
                const other = `${process.env.CONVEX_CLOUD_URL}/api/storage/${storageId}`;
                return [url, other];
              },
            });
        """,
        "src/components/Avatar.tsx": """
            export function avatarUrl(storageId: string) {
              return process.env.NEXT_PUBLIC_CONVEX_URL + "/api/storage/" + storageId;
            }
        """,
    }, ("convex/files.ts", "your-deployment"), ("convex/files.ts", "CONVEX_CLOUD_URL"),
       ("src/components/Avatar.tsx", "NEXT_PUBLIC_CONVEX_URL")),
    flagged("a literal base the id is appended to, and a template filling in a pasted host", {
        "src/lib/files.ts": """
            const STORAGE_BASE = "https://happy-otter-123.convex.cloud/api/storage/";
            export const fileUrl = (id: string) => STORAGE_BASE + id;
            export const thumb = (id: string) => `https://happy-otter-123.convex.cloud/api/storage/${id}?w=64`;
            export const bare = (id: string) => `https://convex.cloud/api/storage/${id}`;
        """,
    }, ("src/lib/files.ts", "const STORAGE_BASE"), ("src/lib/files.ts", "export const thumb"),
       ("src/lib/files.ts", "export const bare")),
]

CLEAN = [
    clean("URLs of stored files pasted as literals: storage/copied-file-url's, not built by hand", {
        "convex/seed.ts": """
            export const avatars = [
              "https://happy-otter-123.convex.cloud/api/storage/3f2a9c1e-8a4b-4b8e-9a55-0f1d2e3c4b5a",
              "https://happy-otter-123.convex.cloud/api/storage/6b8e0d2f-1c3a-4e5b-8f7a-9d0c1b2a3e4f",
              'https://happy-otter-123.convex.cloud/api/storage/kg2a4dcsd0yf5r1jq5x6e8h3n97mzw1p',
            ];
        """,
    }),
    clean("ctx.storage.getUrl, and a site URL served by the project's own /storage route", {
        "convex/files.ts": """
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            export const getFileUrl = query({
              args: { storageId: v.string() },
              handler: async (ctx, args) => {
                const url = await ctx.storage.getUrl(args.storageId);
                const proxied = `${process.env.CONVEX_SITE_URL}/storage/${args.storageId}`;
                return { url, proxied, note: "Files live in /storage/ on the server" };
              },
            });
        """,
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";
            const http = httpRouter();
            http.route({
              pathPrefix: "/storage/",
              method: "GET",
              handler: httpAction(async (ctx,
                request) => new Response(await ctx.storage.get(request.url.split("/").pop()!))),
            });
            export default http;
        """,
    }),
    clean("Next.js image patterns for Convex storage", {
        "convex/schema.ts": "export {};\n",
        "next.config.ts": """
            const nextConfig = {
              images: {
                remotePatterns: [
                  new URL("https://happy-otter-123.convex.cloud/api/storage/**"),
                  { protocol: "https", hostname: "*.convex.cloud", pathname: "/api/storage/**" },
                ],
              },
            };
            export default nextConfig;
        """,
    }),
    clean("the upload URL from generateUploadUrl in the frontend", {
        "convex/storage.ts": """
            import { mutation } from "./_generated/server";
            export const generateUploadUrl = mutation(async (ctx) => {
              return await ctx.storage.generateUploadUrl();
            });
        """,
        "app/upload.ts": """
            export const uploadFile = async (convex: any, api: any, file: File) => {
              const uploadUrl = await convex.mutation(api.storage.generateUploadUrl);
              const result = await fetch(uploadUrl, { method: "POST", headers: { "Content-Type": file.type },
                body: file });
              return `${window.location.origin}/storage/${(await result.json()).storageId}`;
            };
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_hand_built_storage_urls(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_generated_urls_and_own_routes(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
