"""The client's rate-limit and retry decisions, on GitHub's real response headers."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from githubkit.exception import PrimaryRateLimitExceeded, RequestFailed, SecondaryRateLimitExceeded
from githubkit.response import Response

from githubapp import client


def response(status: int, headers: dict[str, str] | None = None) -> Response:
    request = httpx.Request("GET", "https://api.github.com/repos/o/r")
    return Response(httpx.Response(status, headers=headers or {}, request=request), object)


def test_it_retries_server_errors_three_times_with_growing_waits():
    retry = client._Retry()
    error = RequestFailed(response(502))
    waits = [retry(error, n) for n in range(4)]
    assert [w.do_retry for w in waits] == [True, True, True, False]
    assert waits[0].retry_after < waits[1].retry_after < waits[2].retry_after


def test_it_waits_out_a_secondary_rate_limit_as_github_says():
    retry = client._Retry()
    error = SecondaryRateLimitExceeded(response(403, {"retry-after": "7"}), timedelta(seconds=7))
    assert retry(error, 0).do_retry and retry(error, 0).retry_after == timedelta(seconds=7)
    assert not retry(error, 3).do_retry
    assert not retry(RequestFailed(response(422)), 0).do_retry


def test_it_hands_a_spent_primary_rate_limit_to_the_task_with_the_wait():
    error = PrimaryRateLimitExceeded(response(403, {"x-ratelimit-remaining": "0"}), timedelta(seconds=1800))
    with pytest.raises(client.RateLimited) as limited, client.call():
        raise error
    assert limited.value.retry_after == 1800
    assert not client._Retry()(error, 0).do_retry


def test_prism_refuses_a_request_that_breaks_githubs_description(prism):
    """The guard every GitHub test relies on: an invalid call is answered 422 and logged as such."""
    before = len(prism.validation_errors())
    answer = httpx.post(f"{prism.url}/repos/o/r/check-runs", json={"status": "in_progress"}, timeout=30)
    assert answer.status_code == 422
    assert len(prism.validation_errors()) > before
    valid = httpx.post(f"{prism.url}/repos/o/r/check-runs", json={"name": "x", "head_sha": "a" * 40}, timeout=30)
    assert valid.status_code == 201
