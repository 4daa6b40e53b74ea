"""frontend/cloud-domain-for-http: HTTP routes called on the .convex.cloud host."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "frontend/cloud-domain-for-http"

FLAGGED = [
    flagged("the seed's wrong URL, a constant, a concatenation and a literal host", {
        "convex/http.ts": "export {};\n",
        "src/lib/upload.ts": """
            const CONVEX_URL = import.meta.env.VITE_CONVEX_URL as string;

            export async function uploadFile(file: File) {
              const url = `${process.env.NEXT_PUBLIC_CONVEX_URL}/uploadFile`;
              await fetch(`${CONVEX_URL}/api-v1/files`, { method: "POST", body: file });
              await fetch(process.env.NEXT_PUBLIC_CONVEX_URL + "/webhooks/done", { method: "POST" });
              return fetch("https://happy-otter-123.convex.cloud/your-endpoint", { method: "POST", body: file });
            }
        """,
    }, ("src/lib/upload.ts", "/uploadFile"), ("src/lib/upload.ts", "/api-v1/files"),
       ("src/lib/upload.ts", "/webhooks/done"), ("src/lib/upload.ts", "happy-otter")),
]

CLEAN = [
    clean("the .convex.site host, a site URL variable, and Convex's own API paths", {
        "convex/http.ts": """
            export const site = `${process.env.CONVEX_SITE_URL}/your-endpoint`;
            export const cloud = `${process.env.CONVEX_URL}/your-endpoint`;
        """,
        "app/upload.tsx": """
            const convexUrl = process.env.NEXT_PUBLIC_CONVEX_URL!.replace(".convex.cloud", ".convex.site");
            const siteUrl = process.env.NEXT_PUBLIC_CONVEX_SITE_URL;

            export async function send(token: string) {
              await fetch(`${convexUrl}/your-endpoint`, {
                method: "POST",
                headers: { "Content-Type": "application/json", "Authorization": `Bearer ${token}` },
                body: JSON.stringify({ requiredField: "value" }),
              });
              await fetch(`${siteUrl}/your-endpoint`, { method: "POST" });
              await fetch(`${process.env.NEXT_PUBLIC_CONVEX_URL}/api/query`, { method: "POST" });
              return `${process.env.NEXT_PUBLIC_CONVEX_URL}`;
            }
        """,
        "src/convex.ts": """
            import { ConvexReactClient } from "convex/react";
            export const convex = new ConvexReactClient(import.meta.env.VITE_CONVEX_URL);
            export const docs = "Deployments live at https://<name>.convex.cloud; HTTP actions on .convex.site";
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_routes_on_the_cloud_host(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_the_site_host_and_convex_api_paths(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
