"""Faults in the pipeline, on the real services: PostgreSQL, Redis and `celery worker` processes.

- a worker killed with SIGKILL in the middle of an analysis: the reaper fails the audit and its
  retry finishes; nothing stays stuck, nothing half-stored;
- Redis restarted (it keeps nothing on disk) during a burst of 50 queued audits: the lost
  messages are sent again (projects.tasks.resend_lost_audits, on the beat) and every audit
  finishes exactly once. This runs on a private redis-server, so that restarting it never
  disturbs anything else using the machine's Redis;
- a database error in the middle of storing results (a PostgreSQL trigger raising on the
  inventory insert, after the findings went in): everything of that audit is rolled back;
- two workers racing on one repository (the same audit delivered twice, and a second audit):
  one analysis at a time; the duplicate delivery is skipped, the other audit waits its turn.

Runs when DATABASE_URL names PostgreSQL and REDIS_URL is set (.ci/run's `make hardening`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from projects import pipeline
from projects.locks import redis_lock_name
from projects.models import Audit, Finding, FixedFinding, InventorySnapshot, Repository
from tests.automation import free_port
from tests.celery_workers import Worker, purge_queue, wait_until
from tests.factories import RepositoryFactory, TeamFactory
from tests.gitrepos import DEMO_APP, LocalRemote
from tests.hardening.figures import record

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL", "").startswith(("postgres", "psql"))),
    reason="needs DATABASE_URL=postgres://... and REDIS_URL=redis://... of the real servers (see .ci/run)",
)

FINISHED = (Audit.State.DONE, Audit.State.FAILED)
TALLY = {"scenarios": 0, "lost_audits": 0, "stuck_audits": 0, "duplicate_audits": 0}


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    if TALLY["scenarios"]:
        record("faults", dict(TALLY))


def tally(audits: list[Audit], expected_findings: dict[int, int] | None = None) -> dict[str, int]:
    """Lost: never finished. Stuck: still running. Duplicate: stored more than once."""
    counts = {"lost_audits": 0, "stuck_audits": 0, "duplicate_audits": 0}
    for audit in audits:
        audit.refresh_from_db()
        if audit.state == Audit.State.QUEUED:
            counts["lost_audits"] += 1
        elif audit.state in Audit.RUNNING_STATES:
            counts["stuck_audits"] += 1
        inventories = InventorySnapshot.objects.filter(audit=audit).count()
        findings = Finding.objects.filter(audit=audit).count()
        if inventories > 1 or (expected_findings and audit.pk in expected_findings
                               and findings not in (0, expected_findings[audit.pk])):
            counts["duplicate_audits"] += 1
    TALLY["scenarios"] += 1
    for key, value in counts.items():
        TALLY[key] += value
    return counts


# --- workers, queues, a private Redis ------------------------------------------------------------


class PrivateRedis:
    """A redis-server of this test's own, started like the machine's (nothing kept on disk)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    yield server
    server.stop()


def sender(queue: str, broker_url: str | None = None) -> Callable[[Audit], None]:
    """Send an audit's task to `queue`, on the test's broker or another one."""
    from auditor.celery import app
    from projects.tasks import audit_repository

    def send(audit: Audit) -> None:
        args = (audit.repository_id, audit.trigger, audit.force)
        if broker_url is None:
            audit_repository.apply_async(args=args, kwargs={"audit_id": audit.pk}, queue=queue)
            return
        with app.connection_for_write(broker_url) as conn, conn.Producer() as producer:
            audit_repository.apply_async(args=args, kwargs={"audit_id": audit.pk}, queue=queue, producer=producer)

    return send


@pytest.fixture
def workers(transactional_db, tmp_path, settings, allow_local_repos) -> Iterator[Callable[..., Worker]]:
    queue = f"auditor-faults-{uuid.uuid4().hex[:8]}"
    shared_redis = settings.REDIS_URL
    started: list[Worker] = []

    def start(redis_url: str | None = None) -> Worker:
        worker = Worker(queue, tmp_path / f"worker-{len(started)}.log",
                        REDIS_URL=redis_url or settings.REDIS_URL, CONN_MAX_AGE="0")
        started.append(worker)
        return worker

    start.queue = queue  # type: ignore[attr-defined]
    connection.close()  # the workers and this process each keep their own connection
    yield start
    for worker in started:
        worker.kill(signal.SIGTERM)
        worker.log.close()
    with contextlib.suppress(redis.RedisError):
        purge_queue(queue, shared_redis)


def states(audits: list[Audit]) -> list[str]:
    return list(Audit.objects.filter(pk__in=[a.pk for a in audits]).order_by("pk").values_list("state", flat=True))


def big_remote(tmp_path: Path, files: int = 500) -> LocalRemote:
    """The demo app with `files` more modules: an analysis of a few seconds, to be caught mid-way."""
    root = tmp_path / f"big-{uuid.uuid4().hex[:6]}"
    root.mkdir()
    remote = LocalRemote(root)
    source = (DEMO_APP / "convex" / "messages.ts").read_text()
    folder = remote.work / "convex" / "many"
    folder.mkdir()
    for number in range(files):
        (folder / f"m{number}.ts").write_text(source)
    remote.commit("Many modules")
    return remote


# --- the scenarios ------------------------------------------------------------------------------


def test_it_recovers_an_audit_whose_worker_is_killed_mid_analysis(workers, tmp_path, monkeypatch):
    remote = big_remote(tmp_path)
    repository = RepositoryFactory(team=TeamFactory(), url=remote.url, branch="main")
    send = sender(workers.queue)  # type: ignore[attr-defined]
    worker = workers()
    audit = Audit.objects.create(repository=repository, trigger=Audit.Trigger.MANUAL, branch="main")
    send(audit)
    wait_until(lambda: states([audit]) == [Audit.State.ANALYSING], 90, "analysis start", worker.output)
    time.sleep(0.5)
    worker.kill()  # SIGKILL, in the middle of the analysis
    assert states([audit]) == [Audit.State.ANALYSING]
    assert not Finding.objects.filter(audit=audit).exists()

    # The beat's reaper, once the hard time limit has passed; the dead worker's lock lapses with
    # its TTL (hard limit + 30 s) before that, which deleting it here stands for.
    redis.Redis.from_url(settings.REDIS_URL).delete(redis_lock_name(repository.pk))
    monkeypatch.setattr(pipeline, "send", send)
    later = timezone.now() + timedelta(seconds=settings.AUDITOR_AUDIT_TIME_LIMIT) + timedelta(minutes=5)
    assert pipeline.reap_stuck_audits(now=later) == [audit.pk]
    retry = Audit.objects.get(retry_of=audit)

    fresh = workers()
    wait_until(lambda: states([retry])[0] in FINISHED, 120, "the retry", fresh.output)
    audit.refresh_from_db()
    retry.refresh_from_db()
    counts = tally([audit, retry])
    assert audit.state == Audit.State.FAILED and "stopped responding" in audit.failure_reason
    assert retry.state == Audit.State.DONE, retry.failure_reason
    assert not Finding.objects.filter(audit=audit).exists(), "the killed audit stored findings"
    assert counts == {"lost_audits": 0, "stuck_audits": 0, "duplicate_audits": 0}


def test_it_finishes_every_audit_of_a_burst_once_across_a_redis_restart(workers, private_redis, tmp_path, settings,
                                                                       monkeypatch):
    settings.REDIS_URL = private_redis.url  # locks and the lost-message check, like the workers
    remote = big_remote(tmp_path, files=80)  # about a second an audit
    send = sender(workers.queue, private_redis.url)  # type: ignore[attr-defined]
    monkeypatch.setattr(pipeline, "send", send)
    assert pipeline.resend_lost_audits() == []  # nothing queued yet; the sentinel is set

    audits = []
    for number in range(50):
        # A team each: a team connects a remote once.
        repository = RepositoryFactory(team=TeamFactory(), name=f"burst/app-{number}", url=remote.url, branch="main")
        audits.append(Audit.objects.create(repository=repository, trigger=Audit.Trigger.MANUAL, branch="main"))
    for audit in audits:
        send(audit)
    first, second = workers(private_redis.url), workers(private_redis.url)

    def logs() -> str:
        return first.output() + "\n----\n" + second.output()

    wait_until(lambda: states(audits).count(Audit.State.DONE) >= 6, 120, "the first audits", logs)
    private_redis.restart()  # every waiting message is gone
    waiting = states(audits).count(Audit.State.QUEUED)
    assert waiting > 0

    # The beat's tick: the sentinel went with the messages, so the queued audits are sent again.
    resent = pipeline.resend_lost_audits()
    assert len(resent) >= waiting - 2, (len(resent), waiting)
    wait_until(lambda: all(s in FINISHED for s in states(audits)), 240, "the whole burst", logs)

    baseline = Finding.objects.filter(audit=Audit.objects.filter(pk__in=[a.pk for a in audits],
                                                                 state=Audit.State.DONE).first()).count()
    counts = tally(audits, {audit.pk: baseline for audit in audits})
    assert states(audits) == [Audit.State.DONE] * 50, [a.failure_reason for a in audits if a.failure_reason]
    assert counts == {"lost_audits": 0, "stuck_audits": 0, "duplicate_audits": 0}, counts
    # Once each: one inventory and one set of findings per audit.
    assert InventorySnapshot.objects.filter(audit__in=audits).count() == 50
    assert Finding.objects.filter(audit__in=audits).count() == 50 * baseline


FAULT_TRIGGER = """
CREATE OR REPLACE FUNCTION hardening_fail_inventory() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM {audit} a JOIN {repository} r ON r.id = a.repository_id
             WHERE a.id = NEW.audit_id AND r.name LIKE 'fault/%') THEN
    RAISE EXCEPTION 'hardening: injected failure while storing the results of audit %', NEW.audit_id;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS hardening_fail_inventory ON {inventory};
CREATE TRIGGER hardening_fail_inventory BEFORE INSERT ON {inventory}
  FOR EACH ROW EXECUTE FUNCTION hardening_fail_inventory();
"""


def test_it_rolls_back_everything_when_the_database_fails_while_storing_results(workers, tmp_path):
    names = {"audit": Audit._meta.db_table, "repository": Repository._meta.db_table,
             "inventory": InventorySnapshot._meta.db_table}
    with connection.cursor() as cursor:
        cursor.execute(FAULT_TRIGGER.format(**names))
    try:
        root = tmp_path / "remote"
        root.mkdir()
        remote = LocalRemote(root)
        repository = RepositoryFactory(team=TeamFactory(), name="acme/fine", url=remote.url, branch="main")
        send = sender(workers.queue)  # type: ignore[attr-defined]
        worker = workers()
        good = Audit.objects.create(repository=repository, trigger=Audit.Trigger.MANUAL, branch="main")
        send(good)
        wait_until(lambda: states([good])[0] in FINISHED, 90, "the first audit", worker.output)
        good.refresh_from_db()
        assert good.state == Audit.State.DONE, good.failure_reason
        kept = Finding.objects.filter(audit=good).count()

        # A new commit, whose findings differ (so fixed findings would be written too), then the fault.
        remote.remove("convex/users.ts")
        remote.commit("Drop users")
        Repository.objects.filter(pk=repository.pk).update(name="fault/acme")
        bad = Audit.objects.create(repository=repository, trigger=Audit.Trigger.MANUAL, branch="main")
        send(bad)
        wait_until(lambda: states([bad])[0] in FINISHED, 90, "the faulty audit", worker.output)
        bad.refresh_from_db()
        repository.refresh_from_db()
        half = (
            Finding.objects.filter(audit=bad).count()
            + FixedFinding.objects.filter(audit=bad).count()
            + InventorySnapshot.objects.filter(audit=bad).count()
        )
        counts = tally([good, bad])
        TALLY["duplicate_audits"] += int(half > 0)  # a half-stored audit counts against us too
        assert bad.state == Audit.State.FAILED and "crashed" in bad.failure_reason, bad.failure_reason
        assert "injected failure" in worker.output()
        assert half == 0, "rows of the failed audit were kept"
        assert bad.error_count == bad.warning_count == bad.info_count == 0 and bad.health_score is None
        assert repository.last_audit_id == good.pk, "the repository points at the failed audit"
        assert Finding.objects.filter(audit=good).count() == kept
        assert counts == {"lost_audits": 0, "stuck_audits": 0, "duplicate_audits": 0}
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS hardening_fail_inventory ON {names['inventory']}")
            cursor.execute("DROP FUNCTION IF EXISTS hardening_fail_inventory()")


def test_it_runs_one_audit_at_a_time_when_two_workers_race_on_a_repository(workers, tmp_path):
    remote = big_remote(tmp_path, files=300)
    repository = RepositoryFactory(team=TeamFactory(), url=remote.url, branch="main")
    send = sender(workers.queue)  # type: ignore[attr-defined]
    first = Audit.objects.create(repository=repository, trigger=Audit.Trigger.MANUAL, branch="main")
    second = Audit.objects.create(repository=repository, trigger=Audit.Trigger.MANUAL, branch="main", force=True)
    one, two = workers(), workers()

    def logs() -> str:
        return one.output() + "\n----\n" + two.output()

    time.sleep(3)  # both workers ready, so the deliveries really race
    send(first)
    send(first)  # the same audit delivered twice (acks_late redelivery, a double click)
    send(second)
    overlaps = 0
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        now = states([first, second])
        overlaps += all(s in Audit.RUNNING_STATES for s in now)
        if all(s in FINISHED for s in now):
            break
        time.sleep(0.1)
    first.refresh_from_db()
    second.refresh_from_db()
    counts = tally([first, second], {first.pk: Finding.objects.filter(audit=second).count()})
    assert first.state == second.state == Audit.State.DONE, (first.failure_reason, second.failure_reason, logs())
    assert overlaps == 0, "both audits of the repository ran at once"
    a, b = sorted([first, second], key=lambda audit: audit.started_at)
    assert a.finished_at <= b.started_at, "the second analysis started before the first finished"
    assert InventorySnapshot.objects.filter(audit__in=[first, second]).count() == 2
    assert counts == {"lost_audits": 0, "stuck_audits": 0, "duplicate_audits": 0}, counts
