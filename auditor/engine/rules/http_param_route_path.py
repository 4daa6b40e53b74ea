"""Route path with a :param or * segment.

What it flags:
    An `http.route` whose literal `path` (or `pathPrefix`) has a segment starting with `:`
    followed by a name (`/users/:id`) or a segment that is `*`.

Why it matters:
    Convex's router matches a `path` exactly and a `pathPrefix` by prefix; it has no
    Express-style parameters or wildcards. `/users/:id` only answers a request for the
    literal text `/users/:id`, so every real request gets a 404. It is one of the hard-deny
    checks of Convex's own lint hook for coding agents.

Example:
    http.route({ path: "/users/:id", method: "GET", handler: getUser });

Fix:
    Register the prefix and read the segment from the URL:
    `http.route({ pathPrefix: "/users/", method: "GET", handler })`, then
    `new URL(request.url).pathname.split("/").pop()`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("http/param-route-path", "error", "Route path with a :param or * segment")

_PARAM_SEGMENT = re.compile(r"^:[A-Za-z_$][\w$]*\??$|^\*+$")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for route in project.routes:
        for key, value in (("path", route.path), ("pathPrefix", route.path_prefix)):
            if value is None:
                continue
            segment = next((s for s in value.split("/") if _PARAM_SEGMENT.match(s)), None)
            if segment is None:
                continue
            stem = value.split(segment, 1)[0]
            yield report.at(
                route.loc,
                f'The route {key} "{value}" has the segment "{segment}", but Convex matches paths literally; '
                f'no request reaches it. Use `pathPrefix: "{stem or "/"}"` and read the segment from '
                "`request.url`.",
            )
