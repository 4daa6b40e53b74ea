"""Storage URL built by hand.

What it flags:
    A string or template literal, anywhere in the project, that puts `/storage/` or
    `/api/storage/` after a Convex host (`*.convex.cloud`, `*.convex.site`) or after the
    deployment URL variable (`NEXT_PUBLIC_CONVEX_URL`, `CONVEX_CLOUD_URL`, ...), directly or
    through a constant. The finding sits at the string. A `.convex.site/storage/...` URL is not
    flagged when the project routes `/storage` itself in `http.ts`, nor is a glob pattern
    (`https://*.convex.cloud/api/storage/**` in `next.config` image settings).

Why it matters:
    File URLs are signed and served from a path Convex chooses; a hand-built URL returns 404
    or null, and breaks when Convex changes the scheme. `ctx.storage.getUrl(id)` returns a
    working URL (or null when the file is gone).

Example:
    const url = `https://your-deployment.convex.cloud/storage/${storageId}`;

Fix:
    const url = await ctx.storage.getUrl(storageId);
    in a query or mutation, and return it to the client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.engine.derive import owner_at
from auditor.engine.model import ProjectFacts, StringFact
from auditor.engine.rules.base import Finding, RuleInfo

RULE = RuleInfo("storage/manual-url", "error", "Storage URL built by hand")

STORAGE_PATH = re.compile(r"^/(?:api/)?storage(?:/|$)")
HOST_STORAGE = re.compile(r"\.convex\.(cloud|site)(?::\d+)?(/(?:api/)?storage(?:/|$))")
URL_KINDS = {"convex_cloud_url": "cloud", "convex_site_url": "site"}


def storage_host(string: StringFact) -> str | None:
    """"cloud" or "site" when the string builds a storage URL on that Convex host, else None."""
    parts = string.parts
    for index, (kind, value) in enumerate(parts):
        if kind == "expr" and value in URL_KINDS:
            following = parts[index + 1][1] if index + 1 < len(parts) and parts[index + 1][0] == "text" else ""
            if STORAGE_PATH.match(following):
                return URL_KINDS[value]
    match = HOST_STORAGE.search(string.value)
    return match.group(1) if match else None


def check(project: ProjectFacts) -> Iterator[Finding]:
    routes_storage = any(
        (route.path or route.path_prefix or "").startswith(("/storage", "/api/storage")) for route in project.routes
    )
    for module in [*project.modules.values(), *project.frontend.values()]:
        for string in module.strings:
            host = storage_host(string)
            if host is None or (host == "site" and routes_storage) or "*" in string.value:
                continue  # "*": a pattern (next.config images.remotePatterns), not a URL
            yield RULE.finding(
                string.loc,
                "This storage URL is built by hand; Convex file URLs are generated and such URLs return "
                "404 or null. Use `await ctx.storage.getUrl(storageId)`.",
                function=owner_at(project, string.loc) if module.module is not None else None,
            )
