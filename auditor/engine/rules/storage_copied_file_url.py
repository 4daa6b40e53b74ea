"""Storage URL of one file pasted into code or data.

What it flags:
    A string literal, anywhere in the project, holding the complete URL of one stored file: a
    Convex host (`*.convex.cloud`, `*.convex.site`) followed by `/api/storage/` (or `/storage/`)
    and the file's id, with nothing filled in at runtime, as `ctx.storage.getUrl` once answered
    it. JSON data files (sample data, seeds, fixtures) are read too, except those `.gitignore`
    keeps out and those in folders the audit never reads (`node_modules`, build output).
    Reported once per file, at the first such URL, with the count. URLs built from an id
    (a template or concatenation) are `storage/manual-url`; glob patterns (`/api/storage/**`)
    are not flagged.

Why it matters:
    The URL names one deployment and one file. It stops working when the file is deleted, when
    the data is loaded into another deployment (preview, production, a teammate's dev
    deployment) and when Convex changes how it serves files. Seed data and fixtures holding
    such URLs show broken images everywhere but on the deployment they were copied from.

Example:
    export const sampleAvatars = [
      "https://happy-otter-123.convex.cloud/api/storage/3f2a9c1e-8a4b-4b8e-9a55-0f1d2e3c4b5a",
    ];

Fix:
    Keep the storage id, not its URL, and ask `ctx.storage.getUrl(id)` for the URL when it is
    served. For seed data, upload the files in the seed script and store the ids it gets back.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import strings_text
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo
from auditor.engine.rules.storage_manual_url import is_copied_file_url, routes_storage, storage_host

RULE = RuleInfo("storage/copied-file-url", "info", "Storage URL of one file pasted into code or data")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    own_storage_routes = routes_storage(project)
    files = [*project.modules.values(), *project.frontend.values(), *project.data_files]
    for file in files:
        if ".convex." not in strings_text(project, file):
            continue  # no storage URL on a Convex host (is_copied_file_url)
        copied = [string for string in file.strings if is_copied_file_url(string)
                  and not (own_storage_routes and storage_host(string) == "site")]
        if not copied:
            continue
        how_many = "a pasted URL" if len(copied) == 1 else f"{len(copied)} pasted URLs (this is the first)"
        yield report.at(
            copied[0].loc,
            f"{file.path} holds {how_many} of a stored file on one deployment, which breaks when the file or the "
            "deployment changes; keep the storage id and call ctx.storage.getUrl(id) when serving it.",
        )
