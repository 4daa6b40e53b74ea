"""security/hardcoded-secret: credentials written into the code."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "security/hardcoded-secret"

FLAGGED = [
    flagged("Stripe, OpenAI, AWS, GitHub and Slack keys in Convex code", {
        "convex/billing.ts": """
            "use node";
            import Stripe from "stripe";
            import OpenAI from "openai";
            import { action } from "./_generated/server";

            const stripe = new Stripe("sk_live_51H8xYzAbCdEfGhIjKlMnOpQr2s");
            const openai = new OpenAI({ apiKey: "sk-proj-4fG7hJ9kL2mN5pQ8rS1tU3vW6xY0zA" });
            const aws = { accessKeyId: "AKIAIOSFODNN7EXAMPLF" };
            const gh = `token ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R`;

            export const notify = action({
              args: {},
              handler: async () => {
                await fetch("https://slack.com/api/chat.postMessage", {
                  headers: { Authorization: "Bearer xoxb-2048193746-5820193847261-AbCdEfGhIjKlMnOpQrStUv" },
                });
              },
            });
        """,
    }, ("convex/billing.ts", "sk_live_"), ("convex/billing.ts", "sk-proj-"), ("convex/billing.ts", "AKIA"),
       ("convex/billing.ts", "ghp_"), ("convex/billing.ts", "xoxb-")),
    flagged("a JWT and a literal bearer token in frontend code", {
        "convex/schema.ts": "export {};\n",
        "src/api.ts": """
            const SERVICE_TOKEN =
              "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkFkbWluIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk8";

            export const call = () =>
              fetch("https://api.example.com", { headers: { Authorization: "Bearer 9f8e7d6c5b4a3f2e1d0c9b8a" } });
        """,
    }, ("src/api.ts", "eyJhbGci"), ("src/api.ts", "Bearer 9f8e")),
]

CLEAN = [
    clean("env vars, prose about sk-, prefix checks, placeholders, bearer templates and test files", {
        "convex/billing.ts": """
            "use node";
            import Stripe from "stripe";
            import { action } from "./_generated/server";

            const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!);

            export const check = action({
              args: {},
              handler: async (ctx) => {
                const key = process.env.OPENAI_API_KEY ?? "";
                if (!key.startsWith("sk-")) throw new Error("The key must start with sk- (see sk-proj- docs)");
                if (key.startsWith("sk_live_")) console.log("live mode");
                const token = key.replace("Bearer ", "");
                await fetch("https://api.openai.com/v1/models", { headers: { Authorization: `Bearer ${token}` } });
                return "Set STRIPE_SECRET_KEY to sk_live_xxxxxxxxxxxxxxxxxxxxxxxx in the dashboard";
              },
            });
        """,
        "convex/billing.test.ts": """
            export const fakeKey = "sk_test_51H8xYzAbCdEfGhIjKlMnOpQr2s";
        """,
        "src/supabase.ts": """
            export const SUPABASE_ANON_KEY =
              "eyJhbGciOiAiSFMyNTYiLCAidHlwIjogIkpXVCJ9.eyJpc3MiOiAic3VwYWJhc2UiLCAicmVmIjogImFiY2RlZmdoaWprbCIsICJyb2xlIjogImFub24iLCAiaWF0IjogMTcwMDAwMDAwMCwgImV4cCI6IDIwMDAwMDAwMDB9.Xk3mP9qL2rT7vW1yZ4bN6cD8fG0hJ5sA";
        """,
        "src/env.example.ts": """
            export const example = "sk-your-openai-key-goes-here-1234";
            export const bearer = "Bearer <token>";
            export const header = "Bearer ";
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_credentials_in_code(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_env_vars_prose_and_placeholders(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("token", [
    "rk_test_A1b2C3d4E5f6G7h8J9", "sk_test_Z9y8X7w6V5u4T3s2R1", "sk-ant-api03-Q1w2E3r4T5y6U7i8O9p0",
    "ASIAIOSFODNN7EXAMPL1", "gho_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R",
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCD", "xoxp-2048193746-AbCdEfGhIjK",
])
def test_it_knows_every_kind_of_credential_by_the_prefixes_it_searches_first(token):
    from auditor.engine.rules.security_hardcoded_secret import secret_kind

    assert secret_kind(f"key: {token}") is not None
    assert secret_kind(f"key: {token[::-1]}") is None
