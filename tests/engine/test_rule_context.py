"""Rules report through a RuleContext, which fills in each finding's owner label."""

from __future__ import annotations

import ast
import inspect

from auditor.engine.model import Location
from auditor.engine.rules import rule_modules
from auditor.engine.rules.base import RuleContext, RuleInfo
from tests.engine.helpers import project_facts

RULE = RuleInfo("perf/run-in-loop", "error")

TASKS = {"convex/tasks.ts": """
    import { query } from "./_generated/server";
    async function load(ctx) { return await ctx.db.query("tasks").collect(); }
    export const list = query({ args: {}, handler: async (ctx) => load(ctx) });
"""}

# What a rule would need to work an owner label out for itself.
LABEL_HELPERS = {"body_owner_labels", "bodies_with_owner", "owner_at"}


def test_it_labels_a_finding_in_a_handler_with_its_function_id_and_in_a_helper_with_its_key(tmp_path):
    project = project_facts(tmp_path, TASKS)
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


def test_it_gives_a_location_the_label_of_the_body_around_it(tmp_path):
    project = project_facts(tmp_path, TASKS)
    report = RuleContext(RULE, project)
    handler = project.functions["tasks:list"].body
    helper = project.bodies["convex/tasks.ts#load"]
    assert report.at(helper.loc, "m", enclosing=True).function == "convex/tasks.ts#load"
    assert report.at(handler.loc, "m", enclosing=True).function == "tasks:list"
    outside = Location("convex/tasks.ts", 1, 0, 1, 0)
    assert report.at(outside, "m", enclosing=True).function is None
    assert report.at(helper.loc, "m").function is None  # the location alone owns nothing


def test_it_labels_a_route_with_its_httpaction_or_else_its_handler_body(tmp_path):
    project = project_facts(tmp_path, {"convex/http.ts": """
        import { httpRouter } from "convex/server";
        import { httpAction } from "./_generated/server";
        export const hook = httpAction(async () => new Response("ok"));
        const http = httpRouter();
        http.route({ path: "/hook", method: "POST", handler: hook });
        http.route({ path: "/inline", method: "POST", handler: httpAction(async () => new Response("ok")) });
        export default http;
    """})
    report = RuleContext(RULE, project)
    routes = {route.path: route for route in project.routes}
    assert report.at(routes["/hook"].loc, "m", route=routes["/hook"]).function == "http:hook"
    inline = routes["/inline"]
    assert inline.handler_function is None and inline.handler_body in project.bodies
    assert report.at(inline.loc, "m", route=inline).function == inline.handler_body


def test_it_has_every_rule_module_report_through_the_context():
    offenders: dict[str, list[str]] = {}
    for module in rule_modules():
        tree = ast.parse(inspect.getsource(module))
        problems = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute) and func.attr == "finding":
                    problems.append(f"line {node.lineno}: calls .finding() itself")
                elif isinstance(func, ast.Name) and func.id == "Finding":
                    problems.append(f"line {node.lineno}: builds a Finding itself")
            elif isinstance(node, ast.ImportFrom):
                problems.extend(f"line {node.lineno}: imports {alias.name}, a label of its own"
                                for alias in node.names if alias.name in LABEL_HELPERS)
        builds_context = any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                             and node.func.id == "RuleContext" for node in ast.walk(tree))
        if not builds_context:
            problems.append("never builds a RuleContext")
        if problems:
            offenders[module.__name__] = problems
    assert offenders == {}
