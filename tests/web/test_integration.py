"""End to end on the real services: PostgreSQL, Redis, and a `celery worker` subprocess.

Runs when DATABASE_URL names PostgreSQL and REDIS_URL is set (the second pass of .ci/run);
skipped otherwise, since a real worker must share the test database with this process.
"""

from __future__ import annotations

import os
import signal
import socket
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from projects import pipeline
from projects.locks import audit_lock, redis_lock_name
from projects.models import Audit, InventorySnapshot
from projects.tasks import audit_repository
from tests.celery_workers import Worker, purge_queue
from tests.factories import RepositoryFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith(("postgres", "psql"))),
        reason="needs DATABASE_URL=postgres://... and REDIS_URL=redis://... (see .ci/run)",
    ),
]


@pytest.fixture
def workers(transactional_db, tmp_path, allow_local_repos):
    queue = f"auditor-it-{uuid.uuid4().hex[:8]}"
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(queue, tmp_path / "worker.log")
        started.append(worker)
        return worker

    connection.close()  # the workers and this process each keep their own connection
    yield start
    for worker in started:
        worker.kill(signal.SIGTERM)
        worker.log.close()
    purge_queue(queue)


def send(audit: Audit, queue: str) -> None:
    args = (audit.repository_id, audit.trigger, audit.force)
    audit_repository.apply_async(args=args, kwargs={"audit_id": audit.pk}, queue=queue)


def wait_for(audit: Audit, states: tuple[str, ...], worker: Worker, seconds: float = 90) -> Audit:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        audit.refresh_from_db()
        if audit.state in states:
            return audit
        time.sleep(0.25)
    pytest.fail(f"audit stayed {audit.state}; worker log:\n{worker.output()}")


FINISHED = (Audit.State.DONE, Audit.State.FAILED)


def test_it_audits_through_a_real_worker_end_to_end(workers, personas, local_remote):
    worker = workers()
    repository = RepositoryFactory(team=personas.team, url=local_remote.url, branch="main")
    audit = Audit.objects.create(repository=repository, trigger=Audit.Trigger.API, branch="main")
    send(audit, worker.queue)
    audit = wait_for(audit, FINISHED, worker)
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert audit.commit_message == "Initial commit"
    assert InventorySnapshot.objects.filter(audit=audit).exists()
    assert audit.findings.count() == audit.finding_count + audit.suppressed_count > 0

    # A new commit through the same worker, compared with the first by fingerprint.
    local_remote.write(
        "convex/extra.ts",
        'import { query } from "./_generated/server";\n'
        'export const all = query({ args: {}, handler: async (ctx) => ctx.db.query("messages").collect() });\n',
    )
    local_remote.commit("Add all")
    second = Audit.objects.create(repository=repository, trigger=Audit.Trigger.API, branch="main")
    send(second, worker.queue)
    second = wait_for(second, FINISHED, worker)
    assert second.state == Audit.State.DONE, second.failure_reason
    assert second.commit_message == "Add all"
    assert "unchanged" in set(second.findings.values_list("status", flat=True))

    # The same commit again: reused, not re-analysed.
    third = Audit.objects.create(repository=repository, trigger=Audit.Trigger.API, branch="main")
    send(third, worker.queue)
    third = wait_for(third, FINISHED, worker)
    assert third.reused_from_id == second.pk


def test_it_records_the_failure_reason_from_a_real_worker(workers, personas, tmp_path):
    worker = workers()
    repository = RepositoryFactory(team=personas.team, url=str(tmp_path / "missing.git"), branch="main")
    audit = Audit.objects.create(repository=repository, trigger=Audit.Trigger.API, branch="main")
    send(audit, worker.queue)
    audit = wait_for(audit, FINISHED, worker)
    assert audit.state == Audit.State.FAILED
    assert "Repository not found" in audit.failure_reason


def test_it_reaps_the_audit_of_a_killed_worker_and_retries_it_once(workers, personas, local_remote, monkeypatch):
    # A remote that accepts connections and never answers keeps the audit in "cloning".
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/acme/slow.git"
    repository = RepositoryFactory(team=personas.team, url=url, branch="main")
    worker = workers()
    audit = Audit.objects.create(repository=repository, trigger=Audit.Trigger.MANUAL, branch="main")
    send(audit, worker.queue)
    wait_for(audit, (Audit.State.CLONING,), worker)
    worker.kill()  # SIGKILL, mid-audit
    silent.close()
    # The dead worker's lock lapses after the hard time limit, before the reaper acts; skip the wait.
    redis.Redis.from_url(settings.REDIS_URL).delete(redis_lock_name(repository.pk))

    monkeypatch.setattr(pipeline, "send", lambda retry: send(retry, worker.queue))
    later = timezone.now() + timedelta(seconds=settings.AUDITOR_AUDIT_TIME_LIMIT) + timedelta(minutes=5)
    assert pipeline.reap_stuck_audits(now=later) == [audit.pk]
    audit.refresh_from_db()
    assert audit.state == Audit.State.FAILED and "stopped responding" in audit.failure_reason
    retry = Audit.objects.get(retry_of=audit)
    assert retry.attempt == 2

    # The remote is healthy again; a fresh worker picks the retry up.
    repository.url = local_remote.url
    repository.save()
    fresh = workers()
    retry = wait_for(retry, FINISHED, fresh)
    assert retry.state == Audit.State.DONE, retry.failure_reason


def test_it_holds_one_redis_lock_per_repository(db):
    with audit_lock(4242, ttl=30) as first:
        assert first
        with audit_lock(4242, ttl=30) as second:
            assert not second
        with audit_lock(4243, ttl=30) as other:
            assert other
    with audit_lock(4242, ttl=30) as again:
        assert again
