"""Rules report through a RuleContext, which fills in each finding's owner label."""

from __future__ import annotations

from auditor.engine.model import Location
from auditor.engine.rules.base import RuleContext, RuleInfo
from tests.engine.helpers import project_facts

RULE = RuleInfo("perf/run-in-loop", "error")


def test_it_labels_a_finding_in_a_handler_with_its_function_id_and_in_a_helper_with_its_key(tmp_path):
    project = project_facts(tmp_path, {"convex/tasks.ts": """
        import { query } from "./_generated/server";
        async function load(ctx) { return await ctx.db.query("tasks").collect(); }
        export const list = query({ args: {}, handler: async (ctx) => load(ctx) });
    """})
    report = RuleContext(RULE, project)
    handler = project.functions["tasks:list"]
    helper = project.bodies["convex/tasks.ts#load"]
    loc = Location("convex/tasks.ts", 2, 0, 2, 10)
    assert report.at(loc, "m", body=handler.body).function == "tasks:list"
    assert report.at(loc, "m", body=helper).function == "convex/tasks.ts#load"
    assert report.at(loc, "m", function=handler).function == "tasks:list"
    assert report.at(loc, "m", owner="Component").function == "Component"
    finding = report.at(loc, "message")
    assert (finding.rule, finding.severity, finding.message, finding.function) == (
        "perf/run-in-loop", "error", "message", None)
