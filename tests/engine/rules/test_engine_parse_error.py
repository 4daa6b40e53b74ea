"""engine/parse-error: files the auditor cannot parse are reported, and the audit goes on."""

from __future__ import annotations

import pytest

from tests.engine.helpers import audit_project, check_case, clean, flagged

RULE_ID = "engine/parse-error"

BROKEN = """
    import { query } from "./_generated/server";

    export const broken = query({
      handler: async (ctx) => {
        return ctx.db.query("t" ;
      },
    });
"""

FLAGGED = [
    flagged("an unbalanced call in a Convex file", {
        "convex/legacy.ts": BROKEN,
    }, ("convex/legacy.ts", 'ctx.db.query("t" ;')),
    flagged("a broken frontend file next to a valid Convex folder", {
        "convex/messages.ts": """
            import { query } from "./_generated/server";

            export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("messages").take(5) });
        """,
        "src/App.tsx": """
            export function App() {
              return <div>{items.map((item) => <span>{item}</span>}</div>;
            }
        """,
    }, ("src/App.tsx", "items.map")),
]

CLEAN = [
    clean("TypeScript-only syntax that the reader blanks", {
        "convex/typed.ts": """
            import type { Id } from "./_generated/dataModel";
            import { query } from "./_generated/server";
            import { v } from "convex/values";

            interface Row { id: Id<"rows">; label?: string }
            type Maybe<T> = T | null;
            enum Mode { A = "a" }

            export const get = query({
              args: { id: v.id("rows") },
              handler: async (ctx, { id }): Promise<Maybe<Row>> => {
                const row = (await ctx.db.get(id)) as Row | null;
                return row satisfies Maybe<Row>;
              },
            });
        """,
        "src/App.tsx": """
            import { useQuery } from "convex/react";
            import { api } from "../convex/_generated/api";

            export function App(): JSX.Element {
              const rows = useQuery(api.typed.get, { id: "x" as any });
              return <ul>{rows && <li key={rows.id}>{rows.label!}</li>}</ul>;
            }
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_reports_files_that_do_not_parse(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_reads_typescript_and_jsx(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


def test_it_goes_on_with_the_other_files(tmp_path):
    report = audit_project(tmp_path, {
        "convex/legacy.ts": BROKEN,
        "convex/storage.ts": """
            import { mutation } from "./_generated/server";

            export const generateUploadUrl = mutation(async (ctx) => await ctx.storage.generateUploadUrl());
        """,
    })
    assert report.stats["parse_errors"] == 1 and report.stats["parsed"] == 1
    assert "storage:generateUploadUrl" in report.project.functions
    assert sorted(f.rule for f in report.findings if f.rule in {RULE_ID, "functions/old-syntax"}) == [
        "engine/parse-error", "functions/old-syntax"]
