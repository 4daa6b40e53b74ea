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


BIG_RULES = (
    "auth/public-function-without-auth", "perf/unbounded-collect", "validators/missing-args",
    "schema/unindexed-filter", "scheduler/public-function-scheduled", "correctness/floating-promise",
    "validators/missing-returns", "schema/foreign-key-without-index", "http/error-status", "arch/no-convex-error",
)


def big_inventory(tables: int = 60, functions: int = 180, routes: int = 30) -> dict[str, Any]:
    """An inventory the size of a large real app, with the long names real apps have."""
    names = [f"organizationMembershipInvitationAuditTrail{n}" if n % 7 == 0 else f"table{n}" for n in range(tables)]
    table_rows = []
    references = []
    for n, name in enumerate(names):
        target = names[(n * 7 + 3) % tables]
        fields = [{"name": "ownerId", "type": f'id("{target}")', "optional": False, "references": target}]
        fields += [{"name": f"someRatherLongFieldNameNumber{k}" if k % 4 == 0 else f"field{k}",
                    "type": 'union(literal("draft"), literal("published"), literal("archived"))' if k == 2
                    else "string", "optional": k % 3 == 0, "references": None} for k in range(1, 9)]
        references.append({"from": name, "field": "ownerId", "to": target, "line": 5 + n * 12})
        table_rows.append({
            "name": name, "line": 5 + n * 12, "opaque": False, "fields": fields,
            "indexes": [{"name": "by_ownerId_and_someRatherLongFieldNameNumber4", "kind": "index",
                         "fields": ["ownerId", "someRatherLongFieldNameNumber4"], "filter_fields": [],
                         "line": 14 + n * 12}],
        })
    function_rows = [
        {"id": f"organizations/memberships/invitations:acceptInvitationAndNotifyEveryone{n}" if n % 5 == 0
         else f"mod{n % 20}:fn{n}", "module": f"mod{n % 20}", "name": f"fn{n}",
         "kind": ("query", "mutation", "action")[n % 3], "visibility": "internal" if n % 4 == 0 else "public",
         "builder": "query", "syntax": "object", "path": f"convex/organizations/memberships/invitations{n % 20}.ts",
         "line": n + 1, "has_args": bool(n % 6),
         "args": {"organizationMembershipInvitationId": f'id("{names[n % tables]}")', "limit": "number"},
         "has_returns": False, "returns": None, "auth_checked": bool(n % 2)}
        for n in range(functions)
    ]
    route_rows = [
        {"method": ("GET", "POST", "OPTIONS")[n % 3],
         "path": f"/api/v1/organizations/memberships/invitations/accept-and-notify/{n}" if n % 4 else None,
         "path_prefix": None if n % 4 else f"/files/{n}/", "handler": f"http:handleIncomingWebhookEvent{n}",
         "file": "convex/http.ts", "line": 10 + n * 3, "cors": bool(n % 2), "preflight": bool(n % 3),
         "auth": bool(n % 5)}
        for n in range(routes)
    ]
    indexes = [{"table": t["name"], "name": ix["name"], "kind": "index", "fields": ix["fields"],
                "path": "convex/schema.ts", "line": ix["line"],
                "used_by": [{"function": function_rows[k]["id"], "path": function_rows[k]["path"], "line": 9}
                            for k in range(ix["line"] % 3)]}
               for t in table_rows for ix in t["indexes"]]
    return {
        "functions": function_rows,
        "http_routes": route_rows,
        "schema": {"path": "convex/schema.ts", "line": 4, "open": True, "validation": False,
                   "unread_spreads": ["authTables"], "tables": table_rows, "references": references},
        "index_map": {
            "indexes": indexes,
            "unused": [
                {"table": i["table"], "name": i["name"], "line": i["line"]} for i in indexes if not i["used_by"]
            ],
            "missing": [{"table": names[1], "index": "by_organizationMembershipInvitationId", "function":
                         function_rows[5]["id"], "path": function_rows[5]["path"], "line": 40}],
            "unindexed_queries": [
                {"table": names[n], "function": function_rows[n]["id"], "path": function_rows[n]["path"],
                 "line": 30, "filter_fields": ["someRatherLongFieldNameNumber4"]} for n in range(10)
            ],
        },
        "crons": [{"name": "clean up expired organization invitations", "schedule": "daily",
                   "details": {"hourUTC": 3}, "target": "internal.organizations.cleanup", "path": "convex/crons.ts",
                   "line": 5}],
    }


def make_big_audit(repository: Repository, findings: int = 300) -> Audit:
    """A 60-table project with `findings` findings over ten rules and many files."""
    audit = make_audit(repository, findings=0, inventory_data=big_inventory())
    for n, rule in enumerate(BIG_RULES):
        count = findings // len(BIG_RULES)
        add_findings(audit, count, start=n * 1000, rule=rule,
                     path=f"convex/organizations/memberships/invitations{n}.ts")
    Finding.objects.filter(audit=audit).update(
        message="Public mutation `organizations/memberships/invitations:acceptInvitationAndNotifyEveryone` writes "
                "`ctx.db` without checking `ctx.auth.getUserIdentity()`; anyone can call it with any arguments."
    )
    return recount(audit)
