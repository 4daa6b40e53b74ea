"""Helpers for the schedule, digest, webhook, triage and gate tests (issue 4)."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.utils import timezone

from projects import pipeline
from projects.models import Audit, Repository
from tests.factories import AuditFactory


def finding(
    fp: str,
    severity: str = "warning",
    rule: str = "db/unindexed-query",
    path: str = "convex/messages.ts",
    line: int = 7,
    suppressed: bool = False,
) -> dict[str, Any]:
    """One finding in the engine's report shape."""
    return {
        "rule": rule,
        "severity": severity,
        "category": rule.split("/")[0],
        "path": path,
        "line": line,
        "column": 4,
        "end_line": line,
        "end_column": 20,
        "message": f"{rule} says so",
        "fingerprint": fp,
        "suppressed": suppressed,
        "suppression": None,
        "function": "messages:list",
        "snippet": "  .filter(...)",
    }


def route(method: str, path: str) -> dict[str, Any]:
    return {"method": method, "path": path, "path_prefix": None, "handler": "h", "file": "convex/http.ts", "line": 3}


def index(table: str, name: str, *fields: str) -> dict[str, Any]:
    return {"table": table, "name": name, "kind": "index", "fields": list(fields), "path": "convex/schema.ts",
            "line": 5, "used_by": []}


def store(
    repository: Repository,
    *findings: dict[str, Any],
    routes: list[dict[str, Any]] | None = None,
    indexes: list[dict[str, Any]] | None = None,
    finished_at: datetime | None = None,
    sha: str | None = None,
) -> Audit:
    """An audit stored through the real pipeline code from a fed engine report."""
    extra = {"commit_sha": sha} if sha else {}
    audit = AuditFactory(repository=repository, state=Audit.State.ANALYSING, finished_at=None, branch=repository.branch,
                         **extra)
    data = {
        "findings": list(findings),
        "inventory": {"http_routes": routes or [], "index_map": {"indexes": indexes or []}},
        "stats": {"files": 1},
    }
    pipeline.store_results(audit, data)
    if finished_at is not None:
        Audit.objects.filter(pk=audit.pk).update(finished_at=finished_at)
        audit.refresh_from_db()
    return audit


def now() -> datetime:
    return timezone.now()


class Receiver:
    """A loopback HTTP server in a thread recording each POST; answers `statuses` in turn, then 200."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def eager_celery() -> Iterator[None]:
    """Run .delay()/.apply_async() inline, as a worker would, for the length of the block."""
    from auditor.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before


class Mailbox:
    """aiosmtpd handler: keeps each message; refuses the first `failures` with a 451."""

    def __init__(self, failures: int = 0) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list = []
        self.failures = failures

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.failures:
            self.failures -= 1
            return "451 Try again later"
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
