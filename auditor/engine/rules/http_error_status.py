"""Error response sent with a success status.

What it flags:
    A `new Response(...)`/`Response.json(...)` in Convex code that is an error response, being
    created in a `catch` block or carrying a JSON body with an `error` key, and is sent with no
    status (which means 200) or a status below 400. Statuses the auditor cannot resolve (a
    variable, a spread init) are not flagged; `{ error: null }` is a success envelope. An HTML
    page made in a `catch` (`Content-Type: text/html`, an OAuth popup telling the person what
    went wrong) is for a person to read, not a client to test, and is not flagged.

Why it matters:
    Clients, `fetch(...).ok`, retries, monitoring and webhook senders all read the status. A
    failure sent as 200 looks like success: Stripe or Clerk stop retrying a webhook that was
    not processed, and the browser code takes the error body for data.

Example:
    } catch (error) {
      return new Response(JSON.stringify({ error: "Something went wrong" }), { headers: CORS_HEADERS });
    }

Fix:
    Send a 4xx status for bad requests (400, 401, 403, 404, 422) and a 5xx for failures
    (500, 502): `{ status: 500, headers: CORS_HEADERS }`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("http/error-status", "warning", "Error response without an error status")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for body in project.bodies.values():
        for response in body.responses:
            if not (response.in_catch or response.body_has_error_key) or not response.status_known:
                continue
            if response.status is not None and response.status >= 400:
                continue
            if response.serves_page and not response.body_has_error_key:
                continue  # an HTML page telling a person what went wrong (an OAuth popup), not an API answer
            why = "in a `catch` block" if response.in_catch else "with an `error` body"
            status = "no status (200)" if response.status is None else f"status {response.status}"
            yield report.at(
                response.loc,
                f"This response is created {why} but sent with {status}; clients and webhook senders "
                "will take it for a success. Use a 4xx or 5xx status.",
                body=body,
            )
