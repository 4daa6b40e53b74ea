"""Env file committed to the repository.

What it flags:
    A `.env`, `.env.local` or `.env.<name>.local` file, in any folder, that git tracks
    (`git ls-files`), or that is present and not ignored by the `.gitignore` files (when the
    audited folder is no git work tree, or the file is untracked). `.env.example`,
    `.env.production` and other shared templates are not flagged. The finding sits on line 1 of
    the file.

Why it matters:
    These files hold deployment keys (`CONVEX_DEPLOY_KEY`, `CONVEX_DEPLOYMENT`), API secrets and
    webhook signing keys. Once committed they live in the history of every clone and fork, and
    removing the file later does not take them back. `npx convex dev` writes `.env.local` and
    expects it to stay out of git.

Example:
    # .env.local, tracked by git
    CONVEX_DEPLOYMENT=dev:happy-otter-123
    CONVEX_DEPLOY_KEY=prod:happy-otter-123|eyJ2MiI6...

Fix:
    `git rm --cached .env.local`, add `.env*.local` and `.env` to `.gitignore`, rotate every
    secret the file held, and keep shared defaults in a `.env.example` without values.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import Location, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("security/env-file-committed", "error", "Env file committed or not ignored")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    repository = project.repository
    if repository is None:
        return
    for path, state in repository.env_files:
        if state == "tracked":
            message = (f"`{path}` is tracked by git: its secrets are in the history of every clone. Remove it "
                       "from the index, ignore it, and rotate the secrets it held.")
        else:
            message = (f"`{path}` is not covered by `.gitignore`: the next `git add .` commits its secrets. Add "
                       "it (or `.env*.local`) to `.gitignore`.")
        yield report.at(Location(path, 1, 0, 1, 0), message)
