"""CORS headers that allow any origin with credentials.

What it flags:
    A `Response` (`new Response(...)`, `Response.json(...)`) whose resolved header set holds
    both `Access-Control-Allow-Origin: *` and `Access-Control-Allow-Credentials: true`. Header
    values are read from literals and constants, also through spreads and objects imported from
    another file, with later keys overriding earlier ones as JavaScript does, and through the
    `set`/`append` calls of a `new Headers()` variable or of a response's `headers`
    (`response.headers.set(...)`). Reported once per function body, at its first such response.

    Also a convex-helpers `corsRouter(http, { allowedOrigins: ["*"], allowCredentials: true })`:
    the library then answers every origin with that origin and credentials, so every website
    can make credentialed requests on a user's behalf. Reported at `corsRouter(`. Only when the
    options list `"*"` themselves: `allowCredentials: true` alone (the library's default
    origins) is mostly set for an `Authorization` header, which a foreign site cannot read, and
    is left alone.

Why it matters:
    Browsers refuse the pair: a credentialed request (cookies, `fetch(..., { credentials:
    "include" })`) to an origin answering `*` fails with a CORS error, so the endpoint works
    from curl and in tests but not from the app. Teams then "fix" it by echoing any origin with
    credentials, which lets every website make authenticated calls on a user's behalf.

Example:
    const corsHeaders = {
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Credentials": "true",
    };
    return new Response(body, { headers: corsHeaders });

Fix:
    Without cookies, drop `Access-Control-Allow-Credentials` and keep `*`. With them, answer
    with the one allowed origin (checked against a list, e.g. `process.env.SITE_URL`) and
    `Vary: Origin`, or use convex-helpers' `corsRouter` with `allowedOrigins`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.derive import convex_bodies
from auditor.engine.model import ProjectFacts, ResponseFact
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("cors/wildcard-with-credentials", "error", "CORS allows any origin with credentials")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for module in project.modules.values():
        for router in module.cors_routers:
            if router.allow_credentials and router.origins_given and router.allowed_origins is not None \
                    and "*" in router.allowed_origins:
                yield report.at(
                    router.loc,
                    f"`{router.local}` allows the origin \"*\" with credentials: corsRouter then answers every "
                    "origin with that origin and Access-Control-Allow-Credentials: true, so any website can make "
                    "requests with a user's credentials. List the allowed origins, or drop allowCredentials.",
                )
    for body in convex_bodies(project):
        response = next((r for r in body.responses if wildcard_with_credentials(r)), None)
        if response is None:
            continue
        yield report.at(
            response.loc,
            "This response sends Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true, a pair "
            "browsers reject; drop the credentials header, or answer with the one allowed origin instead of *.",
            body=body,
        )


def wildcard_with_credentials(response: ResponseFact) -> bool:
    headers = dict(response.header_values)
    return headers.get("access-control-allow-origin", "").strip() == "*" \
        and headers.get("access-control-allow-credentials", "").strip().lower() == "true"
