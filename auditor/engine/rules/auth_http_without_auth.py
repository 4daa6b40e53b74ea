"""HTTP action runs a mutation or action without authentication.

What it flags:
    An `httpAction` (exported, or inline in `http.route`) that calls `ctx.runMutation` or
    `ctx.runAction`, while neither it nor the project helpers it calls reads the
    `Authorization` header (or another credential header such as `x-api-key`), checks
    `ctx.auth.getUserIdentity()`, or verifies a request signature (Stripe `constructEvent`,
    svix `verify`, `crypto.subtle.verify`, ...). A function it runs that checks the identity
    or verifies the signature itself (`ctx.runAction(internal.stripe.fulfill, { payload,
    signature })`) also counts. The finding sits at the `export const` line of an exported handler,
    or at `http.route(` for an inline one.

    Only in projects that authenticate anyone (an `auth.config.ts`, an identity check, a
    credential header read or a signature check somewhere), or for a route whose path names a
    webhook (`/clerk-webhook`, `/stripe/webhook`, `/hooks/...`), which a server calls and should
    sign. Not flagged when the handler calls project code the auditor cannot resolve.

    Who calls an action decides what auth it needs. A public feed served by GET (RSS, Atom,
    sitemaps, `robots.txt`, link previews) is public by design and never flagged. Nor is a
    handler whose only writes are bookkeeping, which changes no user data. What a function run
    or scheduled (`ctx.runMutation`, `ctx.runAction`, `ctx.scheduler.runAfter`/`runAt`) does is
    judged from what it writes, through its helpers and the functions it runs in turn:

    * bookkeeping: a write whose every field only counts (a number step such as `views:
      post.views + 1` or `count: (row?.count ?? 0) + 1`, a number literal, the current time), or
      an insert into a table named for bookkeeping (rate limits, logs, analytics, metrics, views,
      visits, hits, counters, stats, usage); a function that writes nothing;
    * user data: any other write (a field that may hold what the caller sent), or a `fetch`,
      an email or another side effect (what the caller could make the app spend or send);
    * unknown: a delete, or a write whose fields or table the auditor cannot read. Only then,
      and for functions out of sight (a component's), the function's own name decides
      (`internal.rateLimit.consume`, `internal.posts.incrementViewCount`: rate limits, throttles,
      analytics, view/visit/hit counts).

    A handler that stores a file from the request (`ctx.storage.store(...)`) keeps what the
    caller sends, so nothing it runs next counts as bookkeeping.

Why it matters:
    HTTP routes are open to the internet. A route that writes through a mutation on the word
    of an unauthenticated request lets anyone forge the request: fake webhook events, writes
    on behalf of other users.

Example:
    http.route({
      path: "/clerk-webhook",
      method: "POST",
      handler: httpAction(async (ctx, request) => {
        const event = await request.json();
        await ctx.runMutation(internal.users.upsert, { data: event.data });
        return new Response(null, { status: 200 });
      }),
    });

Fix:
    Verify the sender: the webhook signature (`new Webhook(secret).verify(payload, headers)`,
    `stripe.webhooks.constructEvent(...)`), or the user's token from the `Authorization`
    header, before running anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.engine.derive import (
    body_checks_http_auth,
    has_unresolved_helpers,
    http_handler_bodies,
    project_uses_auth,
)
from auditor.engine.model import BodyFacts, DbCall, FunctionFact, Location, ProjectFacts, RunCall
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("auth/http-without-auth", "warning", "HTTP action runs a mutation or action without auth")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    uses_auth = project_uses_auth(project)
    for handler, label in http_handler_bodies(project):
        if not uses_auth and not _webhook_route(project, handler):
            continue
        if _public_feed(project, handler):
            continue
        bodies = project.reachable_bodies(handler)
        # A handler that stores what the request carries (`ctx.storage.store(await request.blob())`)
        # keeps the caller's content: nothing it then runs is mere bookkeeping.
        stores = any(method == "store" for body in bodies for method, _ in body.storage_calls)
        runs = [call for body in bodies for call in body.run_calls
                if call.method in WRITING_RUNS and (stores or not _run_is_bookkeeping(project, call, set()))]
        if not runs or body_checks_http_auth(project, handler) or has_unresolved_helpers(project, bodies):
            continue
        if any(_target_checks_auth(project, call.target.function_id) for call in runs if call.target):
            continue
        yield report.at(
            _location(project, handler, label),
            f"The HTTP action `{label}` runs `{runs[0].target_text or runs[0].method}` without reading the "
            "`Authorization` header or verifying a request signature; anyone can send this request. "
            "Authenticate the caller first.",
            owner=label,
        )


# What public feeds are served as: RSS/Atom, sitemaps, robots.txt, link previews (Open Graph).
_FEED_PATH = re.compile(r"(?:^|[/._-])(?:rss|atom|feed|sitemap|robots|og|opengraph|oembed|preview)(?:$|[/._-])"
                        r"|\.(?:xml|rss|atom)$", re.IGNORECASE)
# Words of a function's module and name that mark counters, not user data.
_COUNTED = {"view", "views", "visit", "visits", "hit", "hits", "impression", "impressions", "pageview",
            "pageviews", "download", "downloads", "click", "clicks", "play", "plays"}
_COUNTING = {"count", "counts", "counter", "increment", "inc", "bump", "record", "track", "log", "add"}


def _public_feed(project: ProjectFacts, handler: BodyFacts) -> bool:
    """Every route to the handler is a GET of a feed path."""
    routes = [route for route in project.routes if route.handler_body == handler.key]
    return bool(routes) and all(
        route.method in {"GET", "HEAD"} and _FEED_PATH.search(route.path or route.path_prefix or "")
        for route in routes)


WRITING_RUNS = frozenset({"runMutation", "runAction", "runAfter", "runAt"})
# Words of a table's name that mark bookkeeping: what counts or limits requests, not user data.
_BOOKKEEPING_TABLE_WORDS = {"ratelimit", "ratelimits", "throttle", "throttles", "log", "logs", "analytics",
                            "metric", "metrics", "view", "views", "visit", "visits", "hit", "hits", "counter",
                            "counters", "stat", "stats", "usage", "impression", "impressions", "pageview",
                            "pageviews"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


def _run_is_bookkeeping(project: ProjectFacts, call: RunCall, seen: set[str]) -> bool:
    """The function run or scheduled writes nothing but bookkeeping: by its writes where they tell,
    by its name where they do not or it is out of sight."""
    function = project.functions.get(call.target.function_id) if call.target else None
    verdict = _function_bookkeeping(project, function, seen) if function is not None else None
    return verdict if verdict is not None else _bookkeeping(call)


def _function_bookkeeping(project: ProjectFacts, function: FunctionFact, seen: set[str]) -> bool | None:
    """True when all the function writes is bookkeeping, False when it writes user data or has a
    side effect, None when the facts cannot tell."""
    if function.function_id in seen:
        return True  # a cycle: the other writes decide
    seen.add(function.function_id)
    bodies = project.function_bodies(function)
    if function.body is None or has_unresolved_helpers(project, bodies):
        return None
    verdicts: list[bool | None] = []
    for body in bodies:
        if body.fetch_calls or body.side_effect_calls:
            return False
        verdicts.extend(_write_bookkeeping(call) for call in body.db_calls if call.is_write)
        for run in body.run_calls:
            if run.method in WRITING_RUNS:
                target = project.functions.get(run.target.function_id) if run.target else None
                verdicts.append(_function_bookkeeping(project, target, seen) if target is not None else None)
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _write_bookkeeping(call: DbCall) -> bool | None:
    if call.method == "delete":
        return None
    if call.fields and call.fields <= call.counter_fields:
        return True
    if call.table is not None and _bookkeeping_table(call.table):
        return True
    if call.method == "insert" and call.table is not None:
        return False
    return False if call.fields else None


def _bookkeeping_table(name: str) -> bool:
    words = [word.lower() for word in _WORD.findall(name)]
    return bool(_BOOKKEEPING_TABLE_WORDS.intersection(words)) or ("rate" in words and any(
        word.startswith("limit") for word in words))


def _bookkeeping(call: RunCall) -> bool:
    """A rate-limit, view-count or analytics write, judged by the target's module and name: only
    where its writes cannot tell, or it is out of sight (a component's function)."""
    if call.target is None:
        return False
    words = {word.lower() for part in (*call.target.module.split("/"), call.target.name)
             for word in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", part)}
    if {"rate", "limit"} <= words or {"rate", "limits"} <= words or words & {"ratelimit", "throttle", "analytics"}:
        return True
    return bool(words & _COUNTED) and bool(words & _COUNTING)


def _webhook_route(project: ProjectFacts, handler: BodyFacts) -> bool:
    return any(
        "hook" in (route.path or route.path_prefix or "").lower()
        for route in project.routes if route.handler_body == handler.key
    )


def _target_checks_auth(project: ProjectFacts, function_id: str) -> bool:
    """The function run checks the caller's identity or verifies the payload's signature itself."""
    function = project.functions.get(function_id)
    return function is not None and any(
        b.auth_checks or b.verifies_signature for b in project.function_bodies(function))


def _location(project: ProjectFacts, handler: BodyFacts, label: str) -> Location:
    function = project.functions.get(label)
    if function is not None:
        return function.loc
    route = next((r for r in project.routes if r.handler_body == handler.key), None)
    return route.loc if route is not None else handler.loc
