"""Audits with findings and an inventory, built straight in the database for the report tests."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from projects.models import SEVERITY_RANK, Audit, Finding, InventorySnapshot, Repository
from tests.factories import AuditFactory, RepositoryFactory

SEVERITY_CYCLE = ("error", "warning", "info", "warning")
RULES = ("auth/public-mutation-without-auth", "perf/unindexed-query", "engine/parse-error")

INVENTORY: dict[str, Any] = {
    "functions": [
        {"id": "messages:list", "module": "messages", "name": "list", "kind": "query", "visibility": "public",
         "builder": "query", "syntax": "object", "path": "convex/messages.ts", "line": 4, "has_args": True,
         "args": {"channel": "string"}, "has_returns": False, "returns": None, "auth_checked": False},
        {"id": "messages:send", "module": "messages", "name": "send", "kind": "mutation", "visibility": "public",
         "builder": "mutation", "syntax": "object", "path": "convex/messages.ts", "line": 25, "has_args": True,
         "args": {"author": 'id("users")', "body": "string"}, "has_returns": False, "returns": None,
         "auth_checked": False},
        {"id": "users:store", "module": "users", "name": "store", "kind": "mutation", "visibility": "internal",
         "builder": "internalMutation", "syntax": "object", "path": "convex/users.ts", "line": 18,
         "has_args": True, "args": {"name": "string"}, "has_returns": False, "returns": None,
         "auth_checked": False},
    ],
    "http_routes": [
        {"method": "POST", "path": "/messages", "path_prefix": None, "handler": "inline", "file": "convex/http.ts",
         "line": 8, "cors": False, "preflight": False, "auth": False},
        {"method": "GET", "path": None, "path_prefix": "/files/", "handler": "files:serve", "file": "convex/http.ts",
         "line": 20, "cors": True, "preflight": True, "auth": True},
    ],
    "schema": {
        "path": "convex/schema.ts", "line": 4, "open": False,
        "tables": [
            {"name": "users", "line": 5, "opaque": False,
             "fields": [{"name": "name", "type": "string", "optional": False, "references": None},
                        {"name": "tokenIdentifier", "type": "string", "optional": False, "references": None}],
             "indexes": [{"name": "by_token", "kind": "index", "fields": ["tokenIdentifier"], "filter_fields": [],
                          "line": 8}]},
            {"name": "messages", "line": 10, "opaque": False,
             "fields": [{"name": "author", "type": 'id("users")', "optional": False, "references": "users"},
                        {"name": "channel", "type": "string", "optional": False, "references": None},
                        {"name": "body", "type": "string", "optional": True, "references": None}],
             "indexes": [{"name": "by_channel", "kind": "index", "fields": ["channel"], "filter_fields": [],
                          "line": 14},
                         {"name": "by_author", "kind": "index", "fields": ["author"], "filter_fields": [],
                          "line": 15}]},
        ],
        "references": [{"from": "messages", "field": "author", "to": "users", "line": 11}],
    },
    "index_map": {
        "indexes": [
            {"table": "users", "name": "by_token", "kind": "index", "fields": ["tokenIdentifier"],
             "path": "convex/schema.ts", "line": 8,
             "used_by": [{"function": "users:me", "path": "convex/users.ts", "line": 9}]},
            {"table": "messages", "name": "by_channel", "kind": "index", "fields": ["channel"],
             "path": "convex/schema.ts", "line": 14,
             "used_by": [{"function": "messages:list", "path": "convex/messages.ts", "line": 7}]},
            {"table": "messages", "name": "by_author", "kind": "index", "fields": ["author"],
             "path": "convex/schema.ts", "line": 15, "used_by": []},
        ],
        "unused": [{"table": "messages", "name": "by_author", "line": 15}],
        "missing": [{"table": "messages", "index": "by_body", "function": "messages:search",
                     "path": "convex/messages.ts", "line": 40}],
        "unindexed_queries": [{"table": "users", "function": "users:all", "path": "convex/users.ts", "line": 30,
                               "filter_fields": ["name"]}],
    },
    "crons": [],
}


def inventory(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(INVENTORY)
    data.update(changes)
    return data


def fingerprint(n: int, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}fp{n}".encode()).hexdigest()


def add_findings(audit: Audit, count: int, *, start: int = 0, salt: str = "", **fields: Any) -> list[Finding]:
    rows = []
    for n in range(start, start + count):
        severity = fields.get("severity") or SEVERITY_CYCLE[n % len(SEVERITY_CYCLE)]
        rows.append(
            Finding(
                audit=audit,
                rule=fields.get("rule") or RULES[n % len(RULES)],
                severity=severity,
                severity_rank=SEVERITY_RANK[severity],
                category=(fields.get("rule") or RULES[n % len(RULES)]).split("/")[0],
                path=fields.get("path") or f"convex/module{n % 7}.ts",
                line=n % 300 + 1,
                column=2,
                end_line=n % 300 + 1,
                end_column=20,
                message=f"Finding number {n}",
                fingerprint=fingerprint(n, salt),
                suppressed=fields.get("suppressed", False),
                suppression="comment: tested" if fields.get("suppressed") else None,
                status=fields.get("status") or Finding.Status.NEW,
                state=Finding.State.SUPPRESSED if fields.get("suppressed") else Finding.State.OPEN,
                function=f"module{n % 7}:fn{n % 11}",
                snippet=f"const value{n} = await ctx.db.query('t').collect();",
            )
        )
    return Finding.objects.bulk_create(rows, batch_size=1000)


def recount(audit: Audit) -> Audit:
    active = audit.findings.filter(suppressed=False)
    audit.error_count = active.filter(severity="error").count()
    audit.warning_count = active.filter(severity="warning").count()
    audit.info_count = active.filter(severity="info").count()
    audit.suppressed_count = audit.findings.filter(suppressed=True).count()
    audit.new_count = active.filter(status="new").count()
    audit.save()
    return audit


def make_audit(
    repository: Repository | None = None, findings: int = 10, inventory_data: dict[str, Any] | None = None, **kw: Any
) -> Audit:
    repository = repository or RepositoryFactory()
    audit = AuditFactory(repository=repository, **kw)
    add_findings(audit, findings)
    InventorySnapshot.objects.create(audit=audit, **(inventory_data or inventory()))
    recount(audit)
    Repository.objects.filter(pk=repository.pk).update(last_audit=audit)
    return audit
