"""Storage URL built by hand.

What it flags:
    A template literal or `+` concatenation, anywhere in the project, that builds a storage URL
    from parts: `/storage/` or `/api/storage/` after a Convex host (`*.convex.cloud`,
    `*.convex.site`) or after the deployment URL variable (`NEXT_PUBLIC_CONVEX_URL`,
    `CONVEX_CLOUD_URL`, ...), with the file's id (or anything else) filled in by an expression;
    and a literal base such as `"https://x.convex.cloud/api/storage/"` that ends where the id
    would go. The finding sits at the string. A `.convex.site/storage/...` URL is not flagged
    when the project routes `/storage` itself in `http.ts`, nor is a glob pattern
    (`https://*.convex.cloud/api/storage/**` in `next.config` image settings). A complete URL of
    one file pasted as a literal is `storage/copied-file-url` instead.

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

from auditor.engine.derive import strings_text
from auditor.engine.model import ProjectFacts, StringFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("storage/manual-url", "error", "Storage URL built by hand")

STORAGE_PATH = re.compile(r"^/(?:api/)?storage(?:/|$)")
HOST_STORAGE = re.compile(r"(?:\.|//)convex\.(cloud|site)(?::\d+)?(/(?:api/)?storage(?:/|$))")
URL_KINDS = {"convex_cloud_url": "cloud", "convex_site_url": "site"}


# A literal URL of one stored file: the host's storage path followed by the file's id.
# Storage ids are UUIDs or 32-character Convex ids: long, and never without a digit.
COPIED_FILE = re.compile(r"\.convex\.(cloud|site)(?::\d+)?/(?:api/)?storage/([A-Za-z0-9_-]{16,})")


def storage_host(string: StringFact) -> str | None:
    """"cloud" or "site" when the string builds a storage URL on that Convex host, else None."""
    parts = string.parts
    for index, (kind, value) in enumerate(parts):
        if kind == "expr" and value in URL_KINDS:
            following = parts[index + 1][1] if index + 1 < len(parts) and parts[index + 1][0] == "text" else ""
            if STORAGE_PATH.match(following):
                return URL_KINDS[value]
    value = string.value
    # The substring test is the regex's own literal: most strings fail it, and it costs a tenth.
    match = HOST_STORAGE.search(value) if "convex." in value else None
    return match.group(1) if match else None


def is_copied_file_url(string: StringFact) -> bool:
    """A literal, with nothing filled in, holding the complete storage URL of one file."""
    if ".convex." not in string.value or any(kind == "expr" for kind, _ in string.parts) or "*" in string.value:
        return False
    match = COPIED_FILE.search(string.value)
    return match is not None and any(char.isdigit() for char in match.group(2))


def routes_storage(project: ProjectFacts) -> bool:
    """The project serves /storage paths itself (on its .convex.site host)."""
    return any(
        (route.path or route.path_prefix or "").startswith(("/storage", "/api/storage")) for route in project.routes
    )


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    own_storage_routes = routes_storage(project)
    for module in [*project.modules.values(), *project.frontend.values()]:
        if "storage" not in strings_text(project, module):
            continue  # a storage URL, built or not, has "storage" in its text (storage_host)
        for string in module.strings:
            host = storage_host(string)
            if host is None or (host == "site" and own_storage_routes) or "*" in string.value:
                continue  # "*": a pattern (next.config images.remotePatterns), not a URL
            if is_copied_file_url(string):
                continue  # pasted, not built: storage/copied-file-url
            yield report.at(
                string.loc,
                "This storage URL is built by hand; Convex file URLs are generated and such URLs return "
                "404 or null. Use `await ctx.storage.getUrl(storageId)`.",
                enclosing=module.module is not None,  # frontend files hold no function bodies
            )
