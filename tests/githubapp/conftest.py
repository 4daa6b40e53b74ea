"""The GitHub App's tests run against Prism, a mock server on GitHub's official OpenAPI
description (npm @octokit/openapi) with request validation on, installed by `make test`
(tools/github-api). Webhook payloads are GitHub's own examples (npm @octokit/webhooks-examples).

Prism failing to start is a test failure, never a skip.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import time
import uuid
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


@pytest.fixture(scope="session")
def prism(tmp_path_factory) -> Prism:
    for needed in (PRISM, OPENAPI, WEBHOOK_EXAMPLES):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: `make github-api-tools` (part of `make test`) installs it")
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PRISM), "mock", "--host", "127.0.0.1", "--port", str(port), str(OPENAPI)],
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


@cache
def _openapi() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text())


def openapi_example(path: str, method: str = "get", status: str = "200") -> Any:
    """The example GitHub's description gives for a response (what Prism answers with)."""
    document = _openapi()
    response = document["paths"][path][method]["responses"][status]
    if "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    examples = response["content"]["application/json"]["examples"]
    example = next(iter(examples.values()))
    if "$ref" in example:
        example = document["components"]["examples"][example["$ref"].rsplit("/", 1)[1]]
    return copy.deepcopy(example["value"])


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
