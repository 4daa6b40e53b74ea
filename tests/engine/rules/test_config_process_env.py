"""config/process-env: process.env where the installed Convex offers the typed env object (1.39.0)."""

from __future__ import annotations

import json

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "config/process-env"

AI = """
    "use node";
    import { action } from "./_generated/server";
    import OpenAI from "openai";

    export const complete = action({
      args: {},
      handler: async () => {
        const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
        return client.baseURL;
      },
    });
"""


def _lock(version: str) -> str:
    return json.dumps({"lockfileVersion": 3, "packages": {"": {"dependencies": {"convex": "^1.31.0"}},
                                                           "node_modules/convex": {"version": version}}})


FLAGGED = [
    flagged("convex 1.39 installed according to the lock file", {
        "package.json": '{"dependencies": {"convex": "^1.31.0", "openai": "^4.0.0"}}',
        "package-lock.json": _lock("1.39.2"),
        "convex/ai.ts": AI,
        "convex/auth.config.ts": """
            export default {
              providers: [{ domain: process.env.CLERK_JWT_ISSUER_DOMAIN, applicationID: "convex" }],
            };
        """,
    }, ("convex/ai.ts", "process.env.OPENAI_API_KEY"), ("convex/auth.config.ts", "process.env.CLERK")),
]

CLEAN = [
    clean("an older Convex from the lock file, even though the range would allow 1.39", {
        "package.json": '{"dependencies": {"convex": "^1.31.0"}}',
        "package-lock.json": _lock("1.31.4"),
        "convex/ai.ts": AI,
    }),
    clean("an unknown version stays silent", {
        "package.json": '{"dependencies": {"convex": "latest"}}',
        "convex/ai.ts": AI,
    }),
    clean("process.env in frontend code is not Convex code", {
        "package.json": '{"dependencies": {"convex": "^1.39.0"}}',
        "src/main.tsx": """
            import { ConvexReactClient } from "convex/react";
            export const convex = new ConvexReactClient(import.meta.env.VITE_CONVEX_URL ?? process.env.CONVEX_URL);
        """,
        "convex/ping.ts": """
            import { query } from "./_generated/server";
            export const ping = query({ args: {}, handler: async () => "pong" });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_process_env_when_the_typed_env_exists(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_stays_silent_on_older_or_unknown_versions(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
