"""Frontend calls an HTTP route on the .convex.cloud host.

What it flags:
    A string or template literal outside the Convex folder that puts a path after the
    deployment URL (`NEXT_PUBLIC_CONVEX_URL`, `VITE_CONVEX_URL`, `CONVEX_URL` and the other
    framework spellings, directly or through a constant) or after a literal
    `https://<name>.convex.cloud` host. The finding sits at the string. Not flagged: the URL
    rewritten with `.replace(".convex.cloud", ".convex.site")`, `*_CONVEX_SITE_URL`
    variables, Convex's own `/api/...` paths on the cloud host, and storage URLs (those are
    `storage/manual-url`).

Why it matters:
    `.convex.cloud` serves the Convex client protocol; HTTP actions registered in
    `convex/http.ts` are served on `.convex.site`. A request to the cloud host with a route
    path gets 404 Not Found.

Example:
    const url = `${process.env.NEXT_PUBLIC_CONVEX_URL}/uploadFile`;

Fix:
    const url = `${process.env.NEXT_PUBLIC_CONVEX_URL!.replace(".convex.cloud", ".convex.site")}/uploadFile`;
    or define `NEXT_PUBLIC_CONVEX_SITE_URL` and use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.engine.derive import strings_text
from auditor.engine.model import ProjectFacts, StringFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("frontend/cloud-domain-for-http", "error", "HTTP route called on the .convex.cloud host")

# A route path: "/" and at least one character that is not Convex's own /api/ (or storage).
ROUTE_PATH = re.compile(r"^/(?!api/|api$|storage/)[A-Za-z0-9_\-.~%]")
CLOUD_HOST_PATH = re.compile(r"https?://[A-Za-z0-9\-]*(?:\$\{\})?[A-Za-z0-9\-]*\.convex\.cloud(/[^\s\"'`]*)")


def route_on_cloud_host(string: StringFact) -> bool:
    parts = string.parts
    for index, (kind, value) in enumerate(parts):
        if kind == "expr" and value == "convex_cloud_url":
            following = parts[index + 1][1] if index + 1 < len(parts) and parts[index + 1][0] == "text" else ""
            if ROUTE_PATH.match(following):
                return True
    value = string.value
    return ".convex.cloud" in value and any(ROUTE_PATH.match(match.group(1))
                                            for match in CLOUD_HOST_PATH.finditer(value))


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for module in project.frontend.values():
        text = strings_text(project, module)
        if ".convex.cloud" not in text and "${}/" not in text:
            continue  # neither the host nor a path after a filled-in part (route_on_cloud_host)
        for string in module.strings:
            if route_on_cloud_host(string):
                yield report.at(
                    string.loc,
                    "This URL calls an HTTP route on the `.convex.cloud` host, which answers 404 for HTTP "
                    "actions. Use the `.convex.site` host: "
                    "`url.replace(\".convex.cloud\", \".convex.site\")` or a `*_CONVEX_SITE_URL` variable.",
                )
