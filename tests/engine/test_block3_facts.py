"""Facts for the block-3 rules: argument uses, args writes, table-first db calls, imports, validators."""

from __future__ import annotations

from pathlib import Path

from tests.engine.helpers import project_facts


def test_it_records_how_a_handler_uses_identity_arguments(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/docs.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const rename = mutation({
              args: { id: v.id("docs"), userId: v.id("users"), isAdmin: v.boolean(), title: v.string() },
              handler: async (ctx, { id, userId, isAdmin, ...fields }) => {
                const identity = await ctx.auth.getUserIdentity();
                const doc = await ctx.db.get(id);
                if (!isAdmin && doc.ownerId !== userId) throw new Error("Forbidden");
                await ctx.db.patch(id, fields);
                await ctx.db.insert("log", { authorId: userId, at: 1 });
                return identity;
              },
            });

            export const verified = mutation({
              args: { userId: v.string(), title: v.string() },
              handler: async (ctx, args) => {
                const identity = await ctx.auth.getUserIdentity();
                if (identity?.subject !== args.userId) throw new Error("Forbidden");
                await ctx.db.insert("docs", { ...args });
              },
            });
        """,
    })
    rename = project.functions["docs:rename"].body
    assert sorted((u.kind, u.arg, u.loc.line) for u in rename.arg_uses) == [
        ("compare", "userId", 9), ("owner_write", "userId", 11), ("test", "isAdmin", 9)]
    assert [(w.method, w.form, sorted(w.excluded)) for w in rename.args_writes] == [
        ("patch", "rest", ["id", "isAdmin", "userId"])]
    verified = project.functions["docs:verified"].body
    assert [(u.kind, u.arg) for u in verified.arg_uses] == [("verified", "userId")]
    assert [(w.method, w.form) for w in verified.args_writes] == [("insert", "spread")]


def test_it_records_table_first_db_calls_and_the_whole_args_validator(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/tasks.ts": """
            import { mutation } from "./_generated/server";
            import { v } from "convex/values";

            export const done = mutation({
              args: v.any(),
              handler: async (ctx, { id }) => {
                const a = await ctx.db.get(id);
                const b = await ctx.db.get("tasks", id);
                await ctx.db.patch("tasks", id, { done: true });
                await ctx.db.patch(id, { done: true });
                await ctx.db.delete("tasks", id);
                const spread: [any, any] = [id, { done: false }];
                await ctx.db.patch(...spread);
              },
            });
        """,
    })
    function = project.functions["tasks:done"]
    assert function.args_validator is not None and function.args_validator.kind == "any"
    calls = [(c.method, c.explicit_table, c.table) for c in function.body.db_calls]
    assert calls == [("get", False, None), ("get", True, "tasks"), ("patch", True, "tasks"),
                     ("patch", False, None), ("delete", True, "tasks"),
                     ("patch", True, None)]  # spread arguments cannot be counted: never reported as implicit


def test_it_records_imports_validators_env_reads_and_random_calls(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/lib/hash.ts": """
            "use node";
            import { createHash } from "node:crypto";
            export const sha = (s: string) => createHash("sha256").update(s).digest("hex");
        """,
        "convex/items.ts": """
            import { query } from "./_generated/server";
            import { v as val } from "convex/values";
            import type { Doc } from "./_generated/dataModel";
            import { type Id } from "./_generated/dataModel";
            import { sha } from "./lib/hash";
            import { v4 } from "uuid";

            export const get = query({
              args: { n: val.bigint() },
              handler: async (ctx) => {
                const key = process.env.API_KEY;
                return [Math.random(), crypto.randomUUID(), v4(), key, sha("x")];
              },
            });
        """,
    })
    items = project.modules["convex/items.ts"]
    assert [(source, line.line) for source, line in items.import_sites] == [
        ("./_generated/server", 1), ("convex/values", 2), ("./lib/hash", 5), ("uuid", 6)]
    assert project.module_imports["convex/items.ts"][2][:2] == ("./lib/hash", "convex/lib/hash.ts")
    assert [name for name, _ in items.validator_calls] == ["bigint"]
    assert [loc.line for loc in items.process_env] == [11]
    body = project.functions["items:get"].body
    assert [name for name, _ in body.random_calls] == ["Math.random", "crypto.randomUUID", "uuid:v4"]
    assert project.modules["convex/lib/hash.ts"].use_node


def test_it_reports_the_convex_version_and_the_rules_it_silences(tmp_path: Path) -> None:
    from tests.engine.helpers import audit_project

    files = {"convex/ping.ts": 'import { query } from "./_generated/server";\n'
                               'export const ping = query({ args: {}, handler: async () => "pong" });\n'}
    unknown = audit_project(tmp_path / "a", files).stats["versions"]
    assert unknown["convex"] is None
    assert unknown["silent_rules"] == ["config/process-env", "correctness/deprecated-validator",
                                       "correctness/implicit-table-id", "correctness/run-with-string-ref",
                                       "validators/missing-returns"]
    known = audit_project(tmp_path / "b", {**files, "package.json": '{"dependencies": {"convex": "^1.31.0"}}'})
    versions = known.stats["versions"]
    assert (versions["convex"], versions["source"]) == ("1.31.0", "package.json (^1.31.0, lower bound)")
    assert versions["silent_rules"] == [] and versions["below_minimum"] == ["config/process-env"]


def test_it_keeps_auditing_when_a_repository_fact_cannot_be_read(tmp_path: Path, monkeypatch) -> None:
    from auditor.engine import audit as audit_module
    from tests.engine.helpers import audit_project

    def broken(root):
        raise PermissionError("denied")

    monkeypatch.setattr(audit_module, "repository_files", broken)
    report = audit_project(tmp_path, {"convex/ping.ts": 'import { query } from "./_generated/server";\n'
                                                        'export const ping = query({ handler: async () => 1 });\n'})
    assert report.project.repository is None
    assert report.stats["rule_errors"] == [{"rule": "engine/repository",
                                            "error": "repository: PermissionError: denied"}]
    assert any(f.rule == "validators/missing-args" for f in report.findings)
