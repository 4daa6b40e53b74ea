"""schemathesis against the served OpenAPI schema, with a real API token, over a real socket.

The app runs under gunicorn with production settings in a subprocess, on a database of its own
seeded with a team, projects, audits, findings and inventories. schemathesis (its CLI, another
process) loads /api/v1/schema/ and runs its examples, coverage and fuzzing phases on every
operation; path ids are drawn half the time from the seeded objects (a hooks file), so the
cases reach real data and not only 404s. No 5xx, no response outside the schema.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.hardening import liveapp
from tests.hardening.figures import record

MAX_EXAMPLES = int(os.environ.get("HARDENING_API_EXAMPLES", "60"))

SEED = r"""
import json
from django.utils import timezone
from api.models import ApiToken
from projects.models import Repository
from tests.factories import (AuditFactory, FindingFactory, InventorySnapshotFactory, MembershipFactory,
                             RepositoryFactory, TeamFactory, UserFactory)
team = TeamFactory(name="Fuzz")
user = MembershipFactory(team=team, role="owner", user=UserFactory(email="fuzz@example.com")).user
other = TeamFactory(name="Other")
RepositoryFactory(team=other)
repos, audits = [], []
for n in range(3):
    repository = RepositoryFactory(team=team, name=f"fuzz/app-{n}")
    for k in range(3):
        audit = AuditFactory(repository=repository, stats={"files": 3, "functions": 4})
        InventorySnapshotFactory(audit=audit, functions=[{"id": "messages:list", "kind": "query"}])
        for severity in ("error", "warning", "info"):
            FindingFactory(audit=audit, severity=severity, status="new")
        audits.append(audit.pk)
    Repository.objects.filter(pk=repository.pk).update(last_audit=audit)
    repos.append(repository.pk)
queued = AuditFactory(repository=repository, state="queued", commit_sha="", started_at=None, finished_at=None)
audits.append(queued.pk)
_, raw = ApiToken.issue(user, "fuzz")
print(json.dumps({"token": raw, "projects": repos, "audits": audits, "team": team.pk}))
"""

HOOKS = r'''
import json, os, random
import schemathesis

IDS = json.loads(os.environ["FUZZ_IDS"])


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    """Half the cases name a seeded object, so the handlers run past their 404."""
    name = next((n for n in ("id", "pk") if n in (path_parameters or {})), None)
    if name and random.random() < 0.5:
        path = ctx.operation.path
        pool = IDS["audits"] if path.startswith("/api/v1/audits/") else IDS["projects"]
        path_parameters[name] = random.choice(pool)
    return path_parameters


@schemathesis.hook
def map_query(ctx, query):
    if query is not None and "team" in query and random.random() < 0.5:
        query["team"] = IDS["team"]
    return query
'''


def test_it_finds_no_server_errors_and_no_schema_violations_in_the_api(tmp_path):
    db_url = liveapp.database_url("auditor_hardening_api", tmp_path)
    env = liveapp.app_environment(db_url, tmp_path)
    try:
        liveapp.manage(env, "migrate", "--noinput")
        ids = json.loads(liveapp.run_script(env, SEED).strip().splitlines()[-1])
        hooks = tmp_path / "fuzz_hooks.py"
        hooks.write_text(HOOKS)
        report = tmp_path / "schemathesis.json"
        with liveapp.gunicorn(env, workers=2, log=tmp_path / "gunicorn.log") as base:
            st_env = {**os.environ, "SCHEMATHESIS_HOOKS": "fuzz_hooks", "PYTHONPATH": str(tmp_path),
                      "FUZZ_IDS": json.dumps(ids)}
            command = [
                str(Path(liveapp.PYTHON).with_name("st")), "run", f"{base}/api/v1/schema/?format=json",
                "--url", base,
                "-H", f"Authorization: Bearer {ids['token']}",
                "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance,"
                "status_code_conformance",
                "--phases", "examples,coverage,fuzzing",
                "--max-examples", str(MAX_EXAMPLES), "--seed", "20261126", "--no-shrink",
                "--workers", "2", "--request-timeout", "30", "--generation-database", "none",
                "--report", "json,junit", "--report-json-path", str(report),
                "--report-junit-path", str(tmp_path / "junit.xml"), "--no-color",
            ]
            completed = subprocess.run(command, cwd=tmp_path, env=st_env, capture_output=True, text=True,
                                       timeout=600)
        output = completed.stdout + completed.stderr
        summary = summarise(report, output)
    finally:
        liveapp.drop_database(db_url)
    record("api_fuzz", summary)
    assert summary["cases"] > 0, output[-4000:]
    assert summary["server_errors"] == 0, output[-6000:]
    assert summary["schema_violations"] == 0, output[-6000:]
    assert completed.returncode == 0, output[-6000:]


def summarise(report: Path, output: str) -> dict[str, int]:
    """Cases run, 5xx answers and responses breaking the schema, from schemathesis' JSON report."""
    data = json.loads(report.read_text()) if report.exists() else {}
    failures = data.get("failures") or []

    def count(*kinds: str) -> int:
        return sum(f.get("count", 1) for f in failures if f.get("type") in kinds or f.get("code") in kinds)

    return {
        "cases": int((data.get("test_cases") or {}).get("generated") or 0),
        "server_errors": count("ServerError", "ST101") + len(data.get("errors") or []),
        "schema_violations": count("JsonSchemaError", "ST108", "MalformedJson"),
        "all_failures": sum(f.get("count", 1) for f in failures),
        "operations": int((data.get("operations") or {}).get("tested") or 0),
    }
