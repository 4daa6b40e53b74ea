"""Load: the pages and the findings API under 20 concurrent clients, then 100 audits at once.

A PostgreSQL database of its own holds 200 repositories, 2,000 audits and 200,000 findings
(bulk-created by tests/hardening/load_seed.py). gunicorn serves the app with production
settings and the Redis cache; tests/hardening/loadgen.py, another process, signs 20 clients in
through the login form and drives the projects, audit, findings, schema, endpoints and history
pages and the findings API on loopback, bounded in time and in requests. The p95 of those 20
clients must stay under 300 ms. Before them, once the workers are warm, the cache is emptied
and each distinct URL is asked once: that first-view cost is recorded too. Then 100 audits are queued at once (through
pipeline.queue_audit, to a Redis queue of this test's own) and 2 `celery worker` processes must
finish them all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis

from tests.celery_workers import worker_command
from tests.conftest import forget_cached
from tests.gitrepos import LocalRemote, git
from tests.hardening import liveapp
from tests.hardening.figures import record

HERE = Path(__file__).resolve().parent
CLIENTS = 20
SECONDS = int(os.environ.get("HARDENING_LOAD_SECONDS", "30"))
MAX_REQUESTS = 20_000
P95_TARGET_MS = 300
QUEUED_AUDITS = 100
GUNICORN_WORKERS = int(os.environ.get("HARDENING_GUNICORN_WORKERS", "4"))

pytestmark = pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and liveapp.postgres_url()),
    reason="needs DATABASE_URL=postgres://... and REDIS_URL=redis://... of the real servers (see .ci/run)",
)


def url_plan(seed: dict) -> list[tuple[str, str]]:
    """The URLs the clients cycle through: every kind of page on 20 projects and their audits."""
    urls: list[tuple[str, str]] = []
    for repository, audit in list(zip(seed["repositories"], seed["audits"], strict=True))[::10]:
        urls += [
            ("projects", "/projects/"),
            ("audit", f"/audits/{audit}/"),
            ("findings", f"/audits/{audit}/?severity=warning&page=2"),
            ("schema", f"/audits/{audit}/schema/"),
            ("endpoints", f"/audits/{audit}/endpoints/"),
            ("history", f"/projects/{repository}/history/"),
            ("api_findings", f"api:/api/v1/audits/{audit}/findings/"),
        ]
    return urls


QUEUE_SCRIPT = """
import json, os, sys
from auditor.celery import app
from projects import pipeline
from projects.models import Audit, Repository
app.conf.task_default_queue = os.environ["LOAD_QUEUE"]
remotes = json.loads(os.environ["LOAD_REMOTES"])
repositories = list(Repository.objects.order_by("pk")[: len(remotes)])
ids = []
for repository, remote in zip(repositories, remotes):
    Repository.objects.filter(pk=repository.pk).update(url=remote)
    repository.url = remote
    ids.append(pipeline.queue_audit(repository, Audit.Trigger.MANUAL).pk)
print(json.dumps(ids))
"""


def worker(env: dict[str, str], queue: str, log: Path) -> subprocess.Popen:
    command = worker_command(queue, f"load-{uuid.uuid4().hex[:6]}", loglevel="WARNING")
    return subprocess.Popen(command, cwd=liveapp.ROOT, env=env, stdout=open(log, "ab"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def test_it_holds_p95_under_load_and_finishes_a_burst_of_audits(tmp_path):
    db_url = liveapp.database_url("auditor_hardening_load", tmp_path)
    queue = f"auditor-load-{uuid.uuid4().hex[:8]}"
    env = liveapp.app_environment(db_url, tmp_path, REDIS_URL=os.environ["REDIS_URL"], AUDITOR_ALLOW_LOCAL_REPOS="1",
                                  CONN_MAX_AGE="60")
    figures: dict[str, object] = {}
    try:
        liveapp.manage(env, "migrate", "--noinput")
        started = time.monotonic()
        seed = json.loads(liveapp.run_script(env, HERE / "load_seed.py").strip().splitlines()[-1])
        seeded_s = time.monotonic() - started
        assert seed["counts"]["repositories"] == 200 and seed["counts"]["audits"] == 2000
        assert seed["counts"]["findings"] == 200_000
        liveapp.manage(env, "collectstatic", "--noinput", "--verbosity", "0")

        plan = tmp_path / "plan.json"
        plan.write_text(json.dumps({
            "email": seed["email"], "password": seed["password"], "token": seed["token"],
            "clients": CLIENTS, "seconds": SECONDS, "max_requests": MAX_REQUESTS, "urls": url_plan(seed),
        }))
        cold = tmp_path / "cold.json"
        # Each distinct URL once, with nothing cached: what a first view costs (reports/fragments.py).
        distinct = list({url: kind for kind, url in url_plan(seed)}.items())
        cold.write_text(json.dumps({**json.loads(plan.read_text()), "clients": 1, "seconds": 120,
                                    "urls": [(kind, url) for url, kind in distinct], "max_requests": len(distinct)}))
        warm = tmp_path / "warm.json"
        # One client first: warms every worker up, and gives each page's cost without queueing.
        warm.write_text(json.dumps({**json.loads(plan.read_text()), "clients": 1, "seconds": 10,
                                    "max_requests": 5 * len(url_plan(seed))}))
        load_before = os.getloadavg()[0]  # other work on the machine shares its 2 cores
        with liveapp.gunicorn(env, workers=GUNICORN_WORKERS, log=tmp_path / "gunicorn.log") as base:
            loadgen = [sys.executable, str(HERE / "loadgen.py"), base]
            single = subprocess.run([*loadgen, str(warm)], check=True, capture_output=True, text=True, timeout=120)
            # First views with warm processes and an empty cache; they leave it filled again.
            forget_cached()
            first = subprocess.run([*loadgen, str(cold)], check=True, capture_output=True, text=True, timeout=180)
            completed = subprocess.run([*loadgen, str(plan)], capture_output=True, text=True, timeout=SECONDS + 120)
        assert completed.returncode == 0, completed.stderr[-3000:]
        load = json.loads(completed.stdout.strip().splitlines()[-1])
        alone = json.loads(single.stdout.strip().splitlines()[-1])
        first_views = json.loads(first.stdout.strip().splitlines()[-1])
        figures["first_view"] = {key: first_views[key] for key in ("requests", "p50_ms", "p95_ms", "errors",
                                                                   "p50_ms_by_kind")}
        figures["single_client"] = {key: alone[key] for key in ("p50_ms", "p95_ms", "requests_per_s", "errors",
                                                                 "p50_ms_by_kind")}
        figures.update({key: load[key] for key in ("clients", "p50_ms", "p95_ms", "requests_per_s", "errors")})
        figures.update({"requests": load["requests"], "p95_ms_by_kind": load["p95_ms_by_kind"],
                        "p95_target_ms": P95_TARGET_MS, "p95_target_met": load["p95_ms"] < P95_TARGET_MS,
                        "cpu_count": os.cpu_count(), "load_average_before": round(load_before, 2),
                        "seed_seconds": round(seeded_s, 1), "gunicorn_workers": GUNICORN_WORKERS})

        # 100 audits at once, 2 workers.
        root = tmp_path / "remotes"
        root.mkdir()
        origin = LocalRemote(root)
        remotes = []
        for number in range(QUEUED_AUDITS):
            target = root / f"r{number:03d}.git"
            git("clone", "-q", "--bare", "--local", str(origin.bare), str(target), cwd=root)
            remotes.append(str(target))
        workers = [worker(env, queue, tmp_path / f"worker-{n}.log") for n in range(2)]
        try:
            time.sleep(2)
            began = time.monotonic()
            queued = json.loads(liveapp.run_script({**env, "LOAD_QUEUE": queue, "LOAD_REMOTES": json.dumps(remotes)},
                                                   QUEUE_SCRIPT).strip().splitlines()[-1])
            finished, states = wait_for_audits(db_url, queued, seconds=300)
            burst_s = time.monotonic() - began
        finally:
            for process in workers:
                os.killpg(process.pid, signal.SIGTERM)
            for process in workers:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
            redis.Redis.from_url(os.environ["REDIS_URL"]).delete(queue, f"_kombu.binding.{queue}")
        figures.update({"audits_queued": len(queued), "audits_finished": finished, "burst_seconds": round(burst_s, 1),
                        "burst_states": states})
    finally:
        liveapp.drop_database(db_url)
        if figures:
            record("load", figures)
    assert load["errors"] == 0 and first_views["errors"] == 0, (load["error_samples"], first_views["error_samples"])
    assert len(queued) == QUEUED_AUDITS and finished == QUEUED_AUDITS, states
    assert load["p95_ms"] < P95_TARGET_MS, load


def wait_for_audits(db_url: str, ids: list[int], seconds: float) -> tuple[int, dict[str, int]]:
    """Poll the audits' states until all are done or failed; returns how many are done."""
    dsn = db_url.replace("postgres://", "postgresql://", 1)
    deadline = time.monotonic() + seconds
    states: dict[str, int] = {}
    with psycopg.connect(dsn, autocommit=True) as connection:
        while time.monotonic() < deadline:
            rows = connection.execute(
                "SELECT state, count(*) FROM projects_audit WHERE id = ANY(%s) GROUP BY state", [ids]
            ).fetchall()
            states = {state: count for state, count in rows}
            if sum(states.get(s, 0) for s in ("done", "failed")) == len(ids):
                break
            time.sleep(0.5)
    return states.get("done", 0), states
