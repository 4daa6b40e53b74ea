"""security/env-file-committed: env files tracked by git or not covered by .gitignore."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "security/env-file-committed"

QUERY = """
    import { query } from "./_generated/server";
    export const ping = query({ args: {}, handler: async () => "pong" });
"""

FLAGGED = [
    flagged("env files with no .gitignore, and one a nested app's .gitignore misses", {
        "convex/ping.ts": QUERY,
        ".env.local": """
            CONVEX_DEPLOYMENT=dev:happy-otter-123
            NEXT_PUBLIC_CONVEX_URL=https://happy-otter-123.convex.cloud
        """,
        "apps/web/.gitignore": """
            node_modules
            .next
        """,
        "apps/web/.env.development.local": "CLERK_SECRET_KEY=sk_test_x\n",
    }, (".env.local", "CONVEX_DEPLOYMENT"), ("apps/web/.env.development.local", "CLERK_SECRET_KEY")),
    flagged("a negation that brings .env back", {
        "convex/ping.ts": QUERY,
        ".gitignore": """
            .env*
            !.env
            !.env.example
        """,
        ".env": "OPENAI_API_KEY=sk-proj-x\n",
        ".env.example": "OPENAI_API_KEY=\n",
    }, (".env", "OPENAI_API_KEY")),
]

CLEAN = [
    clean("env files ignored the way create-next-app and npx convex dev set them up", {
        "convex/ping.ts": QUERY,
        ".gitignore": """
            # dependencies
            /node_modules

            # env files (can opt-in for committing if needed)
            .env*
            !.env.example
        """,
        ".env.local": "CONVEX_DEPLOYMENT=dev:happy-otter-123\n",
        ".env": "X=1\n",
        ".env.example": "CONVEX_DEPLOYMENT=\n",
        ".env.production": "NEXT_PUBLIC_CONVEX_URL=https://happy-otter-123.convex.cloud\n",
    }),
    clean("a folder rule and files in node_modules", {
        "convex/ping.ts": QUERY,
        ".gitignore": "secrets/\n**/.env.local\n",
        "secrets/.env": "X=1\n",
        "packages/backend/.env.local": "CONVEX_DEPLOYMENT=dev:x\n",
        "node_modules/some-package/.env": "X=1\n",
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_env_files_that_git_would_commit(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_ignored_env_files_and_templates(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
