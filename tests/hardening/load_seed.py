"""Seeds the load test's database: REPOS repositories, AUDITS audits each, FINDINGS findings each.

Run inside Django (tests/hardening/liveapp.run_script); prints the ids the load script needs as
JSON. Findings are copies of what the real engine reports on the demo app, spread over the
audits with their own fingerprints, lines and statuses; each audit has the demo's inventory.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from api.models import ApiToken
from auditor.engine import audit_path
from projects.models import SEVERITY_RANK, Audit, Finding, InventorySnapshot, Repository
from teams.models import Membership, Role, Team
from tests.gitrepos import DEMO_APP

REPOS = int(os.environ.get("LOAD_REPOS", "200"))
AUDITS = int(os.environ.get("LOAD_AUDITS_PER_REPO", "10"))
FINDINGS = int(os.environ.get("LOAD_FINDINGS_PER_AUDIT", "100"))
EMAIL, PASSWORD = "load@example.com", "load-test-passphrase-1"

report = audit_path(DEMO_APP).to_dict()
templates = [f for f in report["findings"] if not f.get("suppressed")] or report["findings"]
inventory = report.get("inventory") or {}
statuses = ["new", "unchanged", "unchanged", "unchanged", "reopened"]

with transaction.atomic():
    user = User.objects.create_user(email=EMAIL, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    team = Team.objects.create(name="Load team")
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    _, token = ApiToken.issue(user, "load")
    repositories = Repository.objects.bulk_create(
        Repository(team=team, name=f"load/app-{n:03d}", url=f"https://github.com/load/app-{n:03d}.git", branch="main")
        for n in range(REPOS)
    )

now = timezone.now()
audit_rows = []
for repository in repositories:
    for k in range(AUDITS):
        when = now - timedelta(days=AUDITS - k, minutes=repository.pk)
        audit_rows.append(
            Audit(
                repository=repository, state=Audit.State.DONE, trigger=Audit.Trigger.MANUAL, branch="main",
                commit_sha=hashlib.sha1(f"{repository.pk}-{k}".encode()).hexdigest(),
                commit_author="Ada <ada@example.com>", commit_message=f"Change {k}", committed_at=when,
                created_at=when, started_at=when, finished_at=when + timedelta(seconds=20),
                stats=report.get("stats") or {}, score=report.get("score"), engine_seconds=1.5,
            )
        )
audits = Audit.objects.bulk_create(audit_rows, batch_size=2000)

findings = []
total = 0
for audit in audits:
    counts = {"error": 0, "warning": 0, "info": 0}
    for n in range(FINDINGS):
        template = templates[n % len(templates)]
        counts[template["severity"]] = counts.get(template["severity"], 0) + 1
        findings.append(
            Finding(
                audit=audit, rule=template["rule"], severity=template["severity"],
                severity_rank=SEVERITY_RANK.get(template["severity"], 0), category=template.get("category") or "",
                path=template.get("path") or "", line=(template.get("line") or 1) + n,
                column=template.get("column") or 0, end_line=(template.get("end_line") or 1) + n,
                end_column=template.get("end_column") or 0, message=template.get("message") or "",
                fingerprint=hashlib.sha256(f"{audit.repository_id}-{n}".encode()).hexdigest(),
                suppressed=False, status=statuses[n % len(statuses)], function=template.get("function") or "",
                snippet=template.get("snippet") or "",
            )
        )
    audit.error_count, audit.warning_count, audit.info_count = counts["error"], counts["warning"], counts["info"]
    audit.health_score = 70
    if len(findings) >= 20_000:
        Finding.objects.bulk_create(findings, batch_size=5000)
        total += len(findings)
        findings = []
if findings:
    Finding.objects.bulk_create(findings, batch_size=5000)
    total += len(findings)
Audit.objects.bulk_update(audits, ["error_count", "warning_count", "info_count", "health_score"], batch_size=2000)
InventorySnapshot.objects.bulk_create(
    (
        InventorySnapshot(
            audit=audit, functions=inventory.get("functions") or [], http_routes=inventory.get("http_routes") or [],
            schema=inventory.get("schema"), index_map=inventory.get("index_map") or {},
            crons=inventory.get("crons") or [],
        )
        for audit in audits
    ),
    batch_size=2000,
)
latest = {}
for audit in audits:
    latest[audit.repository_id] = audit
for repository in repositories:
    repository.last_audit = latest[repository.pk]
Repository.objects.bulk_update(repositories, ["last_audit"], batch_size=1000)

# Fresh statistics for the planner, as autovacuum would gather them a minute after a bulk load.
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")

print(json.dumps({
    "email": EMAIL, "password": PASSWORD, "token": token, "team": team.pk,
    "repositories": [r.pk for r in repositories], "audits": [latest[r.pk].pk for r in repositories],
    "counts": {"repositories": Repository.objects.count(), "audits": Audit.objects.count(),
               "findings": Finding.objects.count(), "inserted": total},
}))
