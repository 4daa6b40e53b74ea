"""security/env-file-committed: env files tracked by git or not covered by .gitignore."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from auditor.engine.audit import ParseCache, audit_path
from tests.engine.helpers import check_case, clean, flagged, write_project

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


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_it_flags_a_tracked_env_file_even_when_gitignore_covers_it(tmp_path):
    write_project(tmp_path, {"convex/ping.ts": QUERY, ".gitignore": ".env*.local\n",
                             ".env.local": "CONVEX_DEPLOY_KEY=prod:x|y\n", ".env.test.local": "X=1\n"})
    for command in (["init", "-q"], ["add", ".gitignore", "convex/ping.ts"], ["add", "-f", ".env.local"],
                    ["commit", "-qm", "init"]):
        subprocess.run(["git", "-c", "user.email=a@b.c", "-c", "user.name=t", *command], cwd=tmp_path, check=True,
                       capture_output=True)
    report = audit_path(tmp_path, cache=ParseCache())
    found = [(f.loc.path, f.message.split(":")[0]) for f in report.active_findings if f.rule == RULE_ID]
    assert found == [(".env.local", "`.env.local` is tracked by git")]
