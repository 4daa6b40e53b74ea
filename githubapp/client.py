"""The one way this project talks to GitHub's API: githubkit clients for the App, an installation
and a signed-in user.

- The App authenticates with a JWT signed by its private key; installation tokens are minted from
  it for each fetch or task and dropped afterwards, never stored.
- 5xx answers are retried with backoff, secondary rate limits after GitHub's `retry-after`; a
  primary rate limit is raised as `RateLimited` with the wait GitHub's headers give, so a Celery
  task retries later instead of sleeping in a worker.
- Every response is logged (method, path, status, remaining rate limit); `OBSERVERS` receive each
  request, for diagnostics and for the tests that check what was sent.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
from django.conf import settings
from githubkit import AppAuthStrategy, GitHub, TokenAuthStrategy
from githubkit.config import get_config
from githubkit.exception import (
    GitHubException,
    PrimaryRateLimitExceeded,
    RequestError,
    RequestFailed,
    SecondaryRateLimitExceeded,
)
from githubkit.response import Response
from githubkit.retry import RetryServerError
from githubkit.typing import RetryOption

log = logging.getLogger(__name__)

USER_AGENT = "ConvexAuditor"
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
MAX_SECONDARY_WAIT = timedelta(seconds=60)

# Callables given each outgoing httpx.Request (after githubkit built it).
OBSERVERS: list[Callable[[httpx.Request], None]] = []

GitHubError = GitHubException


class RateLimited(Exception):
    """GitHub's primary rate limit is spent; try again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"GitHub rate limit reached; retry in {int(retry_after)} s")
        self.retry_after = retry_after


def configured() -> bool:
    return bool(settings.GITHUB_APP_ID)


class _Retry:
    """5xx: three retries with growing waits; secondary limits: three, after `retry-after`."""

    server_errors = RetryServerError(max_retry=3)

    def __call__(self, error: GitHubException, retry_count: int) -> RetryOption:
        if isinstance(error, SecondaryRateLimitExceeded) and retry_count < 3:
            return RetryOption(True, min(error.retry_after, MAX_SECONDARY_WAIT))
        return self.server_errors(error, retry_count)


def _on_request(request: httpx.Request) -> None:
    for observer in list(OBSERVERS):
        observer(request)


def _on_response(response: httpx.Response) -> None:
    request = response.request
    log.info(
        "GitHub %s %s → %s (rate limit left: %s)",
        request.method,
        request.url.path,
        response.status_code,
        response.headers.get("x-ratelimit-remaining", "?"),
    )


def _client(auth: Any) -> GitHub:
    config = get_config(
        base_url=settings.GITHUB_API_URL + "/",
        user_agent=USER_AGENT,
        timeout=TIMEOUT,
        follow_redirects=False,
        http_cache=False,
        auto_retry=_Retry(),
        event_hooks={"request": [_on_request], "response": [_on_response]},
    )
    # GitHub's media type first; plain JSON too, which is what its OpenAPI description declares
    # (servers built from it, GitHub Enterprise proxies, and Prism in the tests, negotiate on it).
    return GitHub(auth, config=dataclasses.replace(config, accept=f"{config.accept}, application/json"))


def app() -> GitHub:
    """Authenticated as the App itself (JWT): installations and their tokens."""
    return _client(AppAuthStrategy(settings.GITHUB_APP_ID, settings.GITHUB_APP_PRIVATE_KEY))


def installation_token(installation_id: int, repository_ids: list[int] | None = None) -> str:
    """A new installation token (valid for an hour), narrowed to `repository_ids` when given."""
    data: dict[str, Any] = {}
    if repository_ids:
        data["repository_ids"] = repository_ids
    gh = app()  # held: githubkit's namespaces keep only a weak reference to their client
    with call():
        if data:
            response = gh.rest.apps.create_installation_access_token(installation_id, data=data)
        else:
            response = gh.rest.apps.create_installation_access_token(installation_id)
    return response.parsed_data.token


def installation(installation_id: int, repository_ids: list[int] | None = None) -> GitHub:
    """Authenticated as one installation, with a token minted now for this client only."""
    return _client(TokenAuthStrategy(installation_token(installation_id, repository_ids)))


def user(token: str) -> GitHub:
    """Authenticated as a signed-in user, with their GitHub login token."""
    return _client(TokenAuthStrategy(token))


class call:
    """`with call(): ...` turns a primary rate limit into RateLimited(seconds to wait)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, traceback: Any) -> bool:
        if isinstance(error, PrimaryRateLimitExceeded):
            raise RateLimited(max(error.retry_after.total_seconds(), 1.0)) from error
        return False


def status_of(error: BaseException) -> int | None:
    """The HTTP status of a failed request, None for a network error."""
    if isinstance(error, RequestFailed):
        return error.response.status_code
    return None


NEXT_LINK = re.compile(r'<([^<>]+)>;\s*rel="next"')


def next_page(link: str | None) -> int | None:
    """The page number GitHub's `Link` header names as rel="next", if any."""
    match = NEXT_LINK.search(link or "")
    if match is None:
        return None
    number = httpx.URL(match.group(1)).params.get("page", "")
    return int(number) if number.isdigit() else None


def pages(
    fetch: Callable[[int], Response[Any]],
    items: Callable[[Any], list[Any]],
    limit: int = 10,
) -> Iterator[Any]:
    """Every item of a paged list, following GitHub's `Link: rel="next"` (at most `limit` pages).

    Each page is asked for by number through the same typed call (`fetch(page)`), not by
    requesting the header's URL: the token is only ever sent to GITHUB_API_URL, and every request
    is one the API description knows. An item that moved onto the next page while paging (the
    list changed) is given once. A "next" that does not move forward ends the list.
    """
    seen: set[Any] = set()
    page = 1
    while True:
        with call():
            response = fetch(page)
        for item in items(response.parsed_data):
            key = getattr(item, "id", None)
            if key is None or key not in seen:
                seen.add(key)
                yield item
        following = next_page(response.headers.get("link"))
        if following is None or following <= page or following > limit:
            return
        page = following


__all__ = ["GitHubError", "RateLimited", "RequestError", "RequestFailed"]
