"""The module import graph: project imports resolved to files, and reads while a module loads."""

from __future__ import annotations

from pathlib import Path

from auditor.engine.imports import ImportGraph, reads_at_top_level
from tests.engine.helpers import project_facts


def test_it_follows_imports_and_reexports_and_tells_load_time_reads(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        "convex/schema.ts": """
            import { defineSchema } from "convex/server";
            import { fields } from "./model";
            import "./sideEffect";
            export default defineSchema({});
        """,
        "convex/model/index.ts": 'export * from "./fields";\n',
        "convex/model/fields.ts": """
            import schema from "../schema";
            import { later } from "../later";
            export const fields = {};
            export function read() { return schema.tables; }
            const copy = { later };
        """,
        "convex/sideEffect.ts": "console.log('loaded');\n",
        "convex/later.ts": "export const later = 1;\n",
    })
    graph = ImportGraph(project)
    reached = graph.reachable("convex/schema.ts")
    assert set(reached) == {"convex/schema.ts", "convex/model/index.ts", "convex/model/fields.ts",
                            "convex/sideEffect.ts", "convex/later.ts", }
    assert reached["convex/model/fields.ts"] == ["convex/schema.ts", "convex/model/index.ts", "convex/model/fields.ts"]
    fields = project.modules["convex/model/fields.ts"]
    assert [edge.locals for edge in graph.edges(fields.path)] == [["schema"], ["later"]]
    assert not reads_at_top_level(fields, "schema")  # only inside a function
    assert reads_at_top_level(fields, "later")  # in a top-level object literal
