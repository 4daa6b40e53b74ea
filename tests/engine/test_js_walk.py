"""The generic tree walk reaches every child node, including Property values and expression statements."""

from __future__ import annotations

from auditor.engine.js import FUNCTION_TYPES, own_nodes, returned_expressions, walk
from auditor.engine.parsing import parse_source
from tests.engine.helpers import project_facts


def _types(source: str) -> list[str]:
    return [node.type for node in walk(parse_source("convex/x.ts", source).tree)]


def test_it_walks_into_property_values():
    assert "CallExpression" in _types("const o = { a: f(1) };")


def test_it_walks_into_expression_statements():
    types = _types("g(2);")
    assert types.count("CallExpression") == 1


def test_it_yields_only_nodes_for_template_elements():
    assert all(isinstance(t, str) for t in _types("const t = `a${b}c`;"))


def test_it_gives_a_function_s_own_nodes_without_entering_the_functions_nested_in_it():
    tree = parse_source("convex/x.ts", "function f(a) { if (a) { g(() => { throw 1; }); } return 2; }").tree
    fn = tree.body[0]
    kinds = [node.type for node in own_nodes(fn)]
    assert kinds[0] == "BlockStatement" and "ArrowFunctionExpression" in kinds
    assert "ThrowStatement" not in kinds and "IfStatement" in kinds and "ReturnStatement" in kinds
    assert not any(node is fn for node in own_nodes(fn))


def test_it_returns_what_a_function_returns_itself_the_last_return_first():
    source = "function f(a) { if (a) return 1; const g = () => { return 2; }; return 3; }"
    tree = parse_source("convex/x.ts", source).tree
    fn = next(n for n in walk(tree) if n.type in FUNCTION_TYPES)
    assert [node.value for node in returned_expressions(fn)] == [3, 1]


def test_it_extracts_a_route_registered_by_an_expression_statement(tmp_path):
    project = project_facts(tmp_path, {
        "convex/http.ts": """
            import { httpRouter } from "convex/server";
            import { httpAction } from "./_generated/server";

            const http = httpRouter();
            http.route({
              path: "/hook",
              method: "POST",
              handler: httpAction(async (ctx, request) => {
                try {
                  return new Response(null, { status: 200 });
                } catch (error) {
                  return new Response(JSON.stringify({ error: "bad" }), { status: 500 });
                }
              }),
            });
            export default http;
        """,
    })
    assert [(r.method, r.path, r.loc.line) for r in project.routes] == [("POST", "/hook", 5)]
    body = project.bodies[project.routes[0].handler_body]
    assert [(r.status, r.in_catch, r.body_has_error_key) for r in body.responses] == [
        (200, False, False), (500, True, True)]
