"""Real `celery worker` processes for the integration and hardening tests, against the test's database."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def worker_environment(**overrides: str) -> dict[str, str]:
    """The environment a worker needs to reach this test's database, secrets and clone folder."""
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "auditor.settings",
        "DEBUG": "1",
        "SECRET_KEY": settings.SECRET_KEY,
        "AUDITOR_TOKEN_KEY": ",".join(settings.AUDITOR_TOKEN_KEYS),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "AUDITOR_ALLOW_LOCAL_REPOS": "1",
        "AUDITOR_CLONE_DIR": str(settings.AUDITOR_CLONE_DIR),
        **overrides,
    }


def worker_command(queue: str, name: str | None = None, loglevel: str = "INFO") -> list[str]:
    """One worker process (concurrency 1) consuming only `queue`, quiet towards other workers."""
    node = name or f"{queue}-{uuid.uuid4().hex[:6]}"
    return [sys.executable, "-m", "celery", "-A", "auditor.celery", "worker", "-Q", queue, "--concurrency=1",
            f"--loglevel={loglevel}", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-n", f"{node}@%h"]


class Worker:
    """A real `celery worker` on a queue of its own; its output goes to a log read back on failure."""

    def __init__(self, queue: str, log_path: Path, **env_overrides: str) -> None:
        self.queue = queue
        self.log = open(log_path, "a+")  # noqa: SIM115 - read back when a test fails
        self.process = subprocess.Popen(
            worker_command(queue), cwd=ROOT, env=worker_environment(**env_overrides), stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-6000:]


def purge_queue(queue: str, redis_url: str | None = None) -> None:
    """Leave nothing of a test's queue in the shared Redis, unacknowledged messages included."""
    client = redis.Redis.from_url(redis_url or settings.REDIS_URL)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    for tag, raw in client.hgetall("unacked").items():
        try:
            routing_key = json.loads(raw)[0]["properties"]["delivery_info"]["routing_key"]
        except (ValueError, LookupError, TypeError):
            continue
        if routing_key == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def wait_until(predicate: Callable[[], bool], seconds: float, what: str, logs: Callable[[], str]) -> None:
    """Poll until `predicate` holds; past `seconds`, fail the test with the workers' logs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} did not happen within {seconds:.0f} s; worker logs:\n{logs()}")
