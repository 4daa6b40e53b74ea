"""The GitHub App's tests run against Prism, a mock server on GitHub's official OpenAPI
description (npm @octokit/openapi) with request validation on, installed by `make test`
(tools/github-api). Webhook payloads are GitHub's own examples (npm @octokit/webhooks-examples).

Prism serves the official description with a small overlay (`overlay`): named response
examples the official one lacks (a second page of a list, a second repository, the summary
comment already on a pull request, a base commit's convex-audit.toml) and the 404 GitHub
answers for a deleted comment. Every
schema, parameter and default example stays the official one, so request validation is
GitHub's. A test picks an overlay example with Prism's `Prefer` header (`prism_prefers`).

Prism failing to start is a test failure, never a skip.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.urls import reverse

from githubapp import client
from tests.automation import free_port

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "tools" / "github-api" / "node_modules"
PRISM = NODE_MODULES / ".bin" / "prism"
OPENAPI = NODE_MODULES / "@octokit" / "openapi" / "generated" / "api.github.com.json"
WEBHOOK_EXAMPLES = NODE_MODULES / "@octokit" / "webhooks-examples" / "api.github.com" / "index.json"
WEBHOOK_SECRET = "test-webhook-secret-4f1c"
START_TIMEOUT = 240


@dataclass
class Prism:
    url: str
    log: Path

    def validation_errors(self) -> list[str]:
        """Lines where Prism found a request that breaks GitHub's description."""
        return [line for line in self.log.read_text(errors="replace").splitlines() if "✖" in line]


# Named examples the overlay adds, by (path, method, status).
SECOND_PAGE = "second-page"
FIRST_OF_TWO_PAGES = "first-of-two-pages"
WITH_SUMMARY_COMMENT = "with-summary-comment"
REPOSITORIES = "/installation/repositories"
INSTALLATIONS = "/user/installations"
ISSUE_COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
ISSUE_COMMENT = "/repos/{owner}/{repo}/issues/comments/{comment_id}"
CONTENTS = "/repos/{owner}/{repo}/contents/{path}"
BASE_CONFIG = "base-convex-audit-toml"
# The base commit's convex-audit.toml in the overlay's example of a file's contents.
BASE_CONFIG_TEXT = '[severity]\n"functions/query-writes-db" = "warning"\n'
PER_PAGE_PICKED = 30  # githubapp.views.PER_PAGE: the overlay's first page is one full page of it
SUMMARY_COMMENT_ID = 4242


def _renamed_repository(repository: dict[str, Any], number: int, name: str) -> dict[str, Any]:
    """GitHub's example repository as another repository of the same owner."""
    old_full_name = repository["full_name"]
    text = json.dumps(repository).replace(old_full_name, f"{repository['owner']['login']}/{name}")
    renamed = json.loads(text)
    renamed.update({"id": repository["id"] + number, "name": name, "node_id": f"R_test{number}"})
    return renamed


def overlay(document: dict[str, Any]) -> dict[str, Any]:
    """The official description plus the named examples and the one response the tests need."""
    from githubapp.publish import COMMENT_MARKER

    def add_example(path: str, method: str, name: str, value: Any, status: str = "200") -> None:
        content = document["paths"][path][method]["responses"][status]["content"]["application/json"]
        content["examples"][name] = {"value": value}

    repositories = openapi_example(REPOSITORIES)
    first = repositories["repositories"][0]
    page_one = [first] + [_renamed_repository(first, n, f"library-{n}") for n in range(1, PER_PAGE_PICKED)]
    total = PER_PAGE_PICKED + 1
    add_example(REPOSITORIES, "get", FIRST_OF_TWO_PAGES, {"total_count": total, "repositories": page_one})
    convex_app = _renamed_repository(first, 1000, "convex-chat")
    add_example(REPOSITORIES, "get", SECOND_PAGE, {"total_count": total, "repositories": [convex_app]})

    installations = openapi_example(INSTALLATIONS)
    later = copy.deepcopy(installations["installations"][0])
    later["id"] = max(i["id"] for i in installations["installations"]) + 100
    later["account"]["login"] = "octo-org"
    add_example(INSTALLATIONS, "get", SECOND_PAGE, {"total_count": installations["total_count"] + 1,
                                                    "installations": [later]})

    comments = openapi_example(ISSUE_COMMENTS)
    ours = copy.deepcopy(comments[0])
    ours.update({"id": SUMMARY_COMMENT_ID, "body": f"{COMMENT_MARKER}\n### Convex Auditor\n\nAn earlier summary."})
    add_example(ISSUE_COMMENTS, "get", WITH_SUMMARY_COMMENT, [*comments, ours])

    config_file = openapi_example(CONTENTS)
    assert config_file["type"] == "file"  # the description's first example: a file, re-filled below
    encoded = base64.b64encode(BASE_CONFIG_TEXT.encode()).decode()
    config_file.update({"name": "convex-audit.toml", "path": "convex-audit.toml", "encoding": "base64",
                        "size": len(BASE_CONFIG_TEXT), "content": encoded})
    add_example(CONTENTS, "get", BASE_CONFIG, config_file)

    # GitHub answers 404 for a comment deleted on the site; its description lists only 200 and 422.
    document["paths"][ISSUE_COMMENT]["patch"]["responses"]["404"] = {"$ref": "#/components/responses/not_found"}
    return document


@pytest.fixture(scope="session")
def prism(tmp_path_factory) -> Prism:
    for needed in (PRISM, OPENAPI, WEBHOOK_EXAMPLES):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: `make github-api-tools` (part of `make test`) installs it")
    folder = tmp_path_factory.mktemp("prism")
    log = folder / "prism.log"
    description = folder / "api.github.com.json"
    description.write_text(json.dumps(_overlaid()))
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PRISM), "mock", "--host", "127.0.0.1", "--port", str(port), str(description)],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "SCARF_ANALYTICS": "false", "NO_COLOR": "1"},
        )
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"Prism exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            if "Prism is listening" in log.read_text(errors="replace"):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not start within {START_TIMEOUT} s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        yield Prism(url=f"http://127.0.0.1:{port}", log=log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@cache
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def github_app(settings, prism):
    """The App configured, its API at Prism."""
    settings.GITHUB_APP_ID = "424242"
    settings.GITHUB_APP_SLUG = "convex-auditor-test"
    settings.GITHUB_APP_PRIVATE_KEY = private_key_pem()
    settings.GITHUB_APP_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.GITHUB_API_URL = prism.url
    settings.GITHUB_WEB_URL = "https://github.com"
    return settings


@dataclass
class Sent:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def github_requests(prism) -> list[Sent]:
    """Every request the product sends to GitHub's API (here Prism), as sent."""
    sent: list[Sent] = []

    def record(request: httpx.Request) -> None:
        content = request.read()
        body = json.loads(content) if content else None
        sent.append(Sent(request.method, request.url.path, dict(request.url.params), body, dict(request.headers)))

    client.OBSERVERS.append(record)
    before = len(prism.validation_errors())
    yield sent
    client.OBSERVERS.remove(record)
    # Every call the product made passed Prism's validation against GitHub's description.
    assert prism.validation_errors()[before:] == []


@dataclass
class Preference:
    method: str
    path: re.Pattern[str]
    prefer: str
    when: Callable[[httpx.Request], bool] | None = None


@pytest.fixture
def prism_prefers(prism):
    """`prefer(method, path_regex, "example=name" or "code=404", when=...)`: Prism answers the
    matching requests with that example or status (the `Prefer` header is Prism's, and is set on
    the request after the product built it; nothing else of the request changes)."""
    preferences: list[Preference] = []

    def choose(request: httpx.Request) -> None:
        for preference in preferences:
            if (request.method == preference.method and preference.path.fullmatch(request.url.path)
                    and (preference.when is None or preference.when(request))):
                request.headers["Prefer"] = preference.prefer
                return

    def prefer(method: str, path: str, prefer: str, when: Callable[[httpx.Request], bool] | None = None) -> None:
        preferences.append(Preference(method, re.compile(path), prefer, when))

    client.OBSERVERS.insert(0, choose)
    yield prefer
    client.OBSERVERS.remove(choose)


def on_page(number: int) -> Callable[[httpx.Request], bool]:
    return lambda request: request.url.params.get("page", "1") == str(number)


@cache
def _openapi() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text())


def openapi_example(path: str, method: str = "get", status: str = "200", example: str | None = None) -> Any:
    """The example GitHub's description gives for a response (what Prism answers with), or the
    overlay's example named `example`."""
    if example is not None:
        return copy.deepcopy(_overlaid()["paths"][path][method]["responses"][status]["content"]
                             ["application/json"]["examples"][example]["value"])
    document = _openapi()
    response = document["paths"][path][method]["responses"][status]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    examples = response["content"]["application/json"]["examples"]
    example_data = next(iter(examples.values()))
    if "$ref" in example_data:
        example_data = document["components"]["examples"][example_data["$ref"].rsplit("/", 1)[1]]
    return copy.deepcopy(example_data["value"])


@cache
def _overlaid() -> dict[str, Any]:
    return overlay(json.loads(OPENAPI.read_text()))


@cache
def _webhook_examples() -> dict[str, list[dict[str, Any]]]:
    return {entry["name"]: entry["examples"] for entry in json.loads(WEBHOOK_EXAMPLES.read_text())}


def webhook_example(event: str, action: str | None = None, where=None) -> dict[str, Any]:
    """A copy of GitHub's first example payload of `event` (with `action`, matching `where`)."""
    for example in _webhook_examples()[event]:
        if (action is None or example.get("action") == action) and (where is None or where(example)):
            return copy.deepcopy(example)
    raise LookupError(f"no example of {event}.{action}")


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver(http, event: str, payload: dict[str, Any], *, delivery: str | None = None, signature: str | None = None):
    body = json.dumps(payload).encode()
    return http.post(
        reverse("githubapp:webhook"),
        data=body,
        content_type="application/json",
        headers={
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(body) if signature is None else signature,
        },
    )
