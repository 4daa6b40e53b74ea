"""Page benchmark: an audit with 20,000 findings in a temporary SQLite database.

Times the projects, findings (grouped by rule, the default; by file; flat; filtered), schema map, index map, endpoints
and history pages and the findings API through Django's test client, N first views (the cache
emptied before each) and N repeat views each after a warm-up, and prints their medians and p95
with the query count of a first view. The history page diffs
the big audit against a previous one of 20,000 findings (1,000 new, 1,000 fixed). The exports
of the whole audit are timed too, with fewer runs. Run with `make bench`; there are no targets
to miss, it only reports.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FINDINGS = 20_000
CHANGED = 1_000  # findings new in the last audit, and as many fixed since the previous one
HISTORY = 30  # earlier audits, for the chart and the audit list


def setup_django(workdir: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["AUDITOR_CLONE_DIR"] = str(workdir / "clones")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ.setdefault("DEBUG", "1")  # dev secrets and plain static files; turned off below
    os.environ["DJANGO_SETTINGS_MODULE"] = "auditor.settings"
    import django

    django.setup()
    from django.conf import settings

    # DEBUG makes every query be recorded; measure without that overhead.
    settings.DEBUG = False
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_inventory(n_functions: int = 300, n_routes: int = 60, n_tables: int = 40) -> dict:
    functions = [
        {"id": f"mod{i % 40}:fn{i}", "module": f"mod{i % 40}", "name": f"fn{i}",
         "kind": ("query", "mutation", "action")[i % 3], "visibility": "public" if i % 4 else "internal",
         "builder": "query", "syntax": "object", "path": f"convex/mod{i % 40}.ts", "line": i % 500 + 1,
         "has_args": bool(i % 5), "args": {"id": f'id("t{i % n_tables}")', "limit": "number?"},
         "has_returns": False, "returns": None, "auth_checked": bool(i % 2)}
        for i in range(n_functions)
    ]
    routes = [
        {"method": ("GET", "POST", "OPTIONS")[i % 3], "path": f"/api/r{i}" if i % 5 else None,
         "path_prefix": None if i % 5 else f"/files{i}/", "handler": f"http:h{i}", "file": "convex/http.ts",
         "line": 10 + i * 3, "cors": bool(i % 2), "preflight": bool(i % 3), "auth": bool(i % 4)}
        for i in range(n_routes)
    ]
    tables = [
        {"name": f"t{i}", "line": 5 + i * 12, "opaque": False,
         "fields": [{"name": f"f{j}", "type": "string" if j else f'id("t{(i + 1) % n_tables}")', "optional": j % 3 == 0,
                     "references": None if j else f"t{(i + 1) % n_tables}"} for j in range(8)],
         "indexes": [{"name": f"by_f{j}", "kind": "index", "fields": [f"f{j}"], "filter_fields": [],
                      "line": 13 + i * 12 + j} for j in range(3)]}
        for i in range(n_tables)
    ]
    references = [{"from": f"t{i}", "field": "f0", "to": f"t{(i + 1) % n_tables}", "line": 6 + i * 12}
                  for i in range(n_tables)]
    indexes = [{"table": t["name"], "name": ix["name"], "kind": "index", "fields": ix["fields"],
                "path": "convex/schema.ts", "line": ix["line"],
                "used_by": [{"function": f"mod{k}:fn{k}", "path": f"convex/mod{k}.ts", "line": 9}
                            for k in range(ix["line"] % 3)]}
               for t in tables for ix in t["indexes"]]
    return {
        "functions": functions,
        "http_routes": routes,
        "schema": {"path": "convex/schema.ts", "line": 4, "open": False, "tables": tables, "references": references},
        "index_map": {
            "indexes": indexes,
            "unused": [
                {"table": i["table"], "name": i["name"], "line": i["line"]} for i in indexes if not i["used_by"]
            ],
            "missing": [{"table": "t1", "index": "by_nothing", "function": "mod1:fn1", "path": "convex/mod1.ts",
                         "line": 40}],
            "unindexed_queries": [{"table": f"t{i}", "function": f"mod{i}:fn{i}", "path": f"convex/mod{i}.ts",
                                   "line": 30, "filter_fields": ["f1"]} for i in range(20)],
        },
        "crons": [],
    }


def build_data():
    import hashlib

    from django.utils import timezone

    from accounts.models import User
    from projects.models import SEVERITY_RANK, Audit, Finding, InventorySnapshot, Repository
    from teams.models import Membership, Role, Team

    user = User.objects.create_user(email="bench@example.com", password="bench-password-123")
    team = Team.objects.create(name="Bench")
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    repository = Repository.objects.create(
        team=team, name="bench/big-app", url="https://github.com/bench/big-app.git", branch="main"
    )
    for n in range(3):  # a few more projects for the projects page
        other = Repository.objects.create(team=team, name=f"bench/app-{n}", url=f"https://github.com/b/{n}.git",
                                          branch="main")
        Audit.objects.create(repository=other, state="done", commit_sha=f"{n:040x}", health_score=80 - n)
    now = timezone.now()
    for n in range(HISTORY):
        Audit.objects.create(
            repository=repository, state="done", commit_sha=hashlib.sha1(f"h{n}".encode()).hexdigest(),
            created_at=now - timezone.timedelta(days=HISTORY - n), error_count=n, warning_count=2 * n,
            info_count=n // 2, health_score=max(0, 100 - n * 3), commit_message=f"Change {n}",
        )
    severities = ("error", "warning", "info", "warning", "info")
    rules = ("auth/public-function-without-auth", "cors/missing-headers", "schema/unindexed-filter",
             "perf/unbounded-collect", "auth/http-without-auth", "engine/parse-error")
    inventory = build_inventory()
    audits = []
    for label, start in (("previous", 0), ("latest", CHANGED)):
        audit = Audit.objects.create(
            repository=repository, state="done", commit_sha=hashlib.sha1(label.encode()).hexdigest(),
            commit_message=f"The {label} audit", started_at=now, finished_at=now,
            created_at=now - timezone.timedelta(minutes=10 if label == "previous" else 0),
        )
        rows = []
        for n in range(start, start + FINDINGS):
            severity = severities[n % len(severities)]
            rows.append(Finding(
                audit=audit, rule=rules[n % len(rules)], severity=severity, severity_rank=SEVERITY_RANK[severity],
                category=rules[n % len(rules)].split("/")[0], path=f"convex/module{n % 200}.ts", line=n % 900 + 1,
                column=4, end_line=n % 900 + 1, end_column=30, message=f"Finding {n}: something to look at",
                fingerprint=hashlib.sha256(f"fp{n}".encode()).hexdigest(), suppressed=n % 50 == 0,
                state="suppressed" if n % 50 == 0 else "open",
                status="new" if n >= FINDINGS else "unchanged", function=f"module{n % 200}:fn{n % 17}",
                snippet=f"const x{n} = await ctx.db.query('t{n % 40}').collect();",
            ))
        Finding.objects.bulk_create(rows, batch_size=2000)
        active = [r for r in rows if not r.suppressed]
        audit.error_count = sum(r.severity == "error" for r in active)
        audit.warning_count = sum(r.severity == "warning" for r in active)
        audit.info_count = sum(r.severity == "info" for r in active)
        audit.suppressed_count = len(rows) - len(active)
        audit.health_score = 0
        audit.save()
        InventorySnapshot.objects.create(audit=audit, **inventory)
        audits.append(audit)
    Repository.objects.filter(pk=repository.pk).update(last_audit=audits[-1])
    return user, repository, audits[-1]


def measure(client, url: str, runs: int) -> tuple[list[float], list[float], int, int]:
    """Times of `runs` first views (the cache emptied before each) and of `runs` repeat views,
    the queries of a first view, and the size of the answer."""
    from django.core.cache import cache
    from django.db import connection

    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    client.get(url)  # warm-up
    cache.clear()
    with connection.execute_wrapper(count):
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    size = len(b"".join(response.streaming_content)) if response.streaming else len(response.content)

    def timed() -> float:
        started = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        return (time.perf_counter() - started) * 1000

    first = []
    for _ in range(runs):
        cache.clear()  # the per-process cache of a run without Redis: sessions stay in the database
        first.append(timed())
    repeat = [timed() for _ in range(runs)]
    return first, repeat, len(executed), size


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--runs", type=int, default=30, help="requests per page (default 30)")
    parser.add_argument("--export-runs", type=int, default=3, help="requests per export (default 3)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as tmp:
        setup_django(Path(tmp))
        from django.test import Client
        from django.urls import reverse

        started = time.perf_counter()
        user, repository, audit = build_data()
        print(f"data: 2 audits x {FINDINGS:,} findings (+{HISTORY} earlier audits) "
              f"built in {time.perf_counter() - started:.1f}s")
        client = Client()
        client.force_login(user)
        pages = [
            ("projects", reverse("reports:projects"), args.runs),
            ("findings, by rule", reverse("reports:audit", args=[audit.pk]), args.runs),
            ("findings, by file", reverse("reports:audit", args=[audit.pk]) + "?group=file&sort=newest", args.runs),
            ("findings, flat, all", reverse("reports:audit", args=[audit.pk]) + "?group=none&state=all", args.runs),
            ("audit, filtered page 2",
             reverse("reports:audit", args=[audit.pk]) + "?severity=warning&path=convex/module1&page=2", args.runs),
            ("audit, rule + status", reverse("reports:audit", args=[audit.pk])
             + "?rule=cors/missing-headers&status=new&suppressed=include", args.runs),
            ("schema map", reverse("reports:schema", args=[audit.pk]), args.runs),
            ("index map", reverse("reports:index_map", args=[audit.pk]), args.runs),
            ("endpoints", reverse("reports:endpoints", args=[audit.pk]), args.runs),
            ("history + diff", reverse("reports:history", args=[repository.pk]), args.runs),
            ("API findings, page 1", reverse("api_audit_findings", args=[audit.pk]), args.runs),
            ("API findings, filtered",
             reverse("api_audit_findings", args=[audit.pk]) + "?severity=error&path=convex/module7&page_size=100",
             args.runs),
            ("export JSON", reverse("reports:export", args=[audit.pk, "json"]), args.export_runs),
            ("export CSV", reverse("reports:export", args=[audit.pk, "csv"]), args.export_runs),
            ("export SARIF", reverse("reports:export", args=[audit.pk, "sarif"]), args.export_runs),
        ]
        print("first: nothing cached yet; repeat: the report fragments cached (reports/fragments.py)")
        print(f"{'page':<26}{'first med':>10}{'first p95':>10}{'repeat med':>11}{'repeat p95':>11}"
              f"{'queries':>9}{'KB':>9}{'runs':>6}")
        for name, url, runs in pages:
            first, repeat, queries, size = measure(client, url, runs)
            print(f"{name:<26}{statistics.median(first):>10.1f}{p95(first):>10.1f}{statistics.median(repeat):>11.1f}"
                  f"{p95(repeat):>11.1f}{queries:>9}{size / 1024:>9.0f}{runs:>6}")


if __name__ == "__main__":
    main()
