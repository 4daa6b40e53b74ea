"""The shared walk: every node once, in source order, with its parents and what encloses it."""

from __future__ import annotations

from auditor.engine.js import walk
from auditor.engine.parsing import parse_source
from auditor.engine.walk import Visit, visit


def _tree(source: str):
    return parse_source("convex/x.ts", source).tree


def _call(visits: list[Visit], name: str) -> Visit:
    return next(at for at in visits if at.node.type == "CallExpression" and at.node.callee.type == "Identifier"
                and at.node.callee.name == name)


def test_it_visits_every_node_in_the_order_of_the_plain_walk():
    tree = _tree("export const f = async (a) => { for (const x of a) { try { g(x) } catch (e) { h(e) } } };")
    assert [at.node for at in visit(tree)] == list(walk(tree))


def test_it_gives_each_node_its_parents_and_key():
    visits = list(visit(_tree("function f() { return g(1); }")))
    call = _call(visits, "g")
    assert call.key == "argument"
    assert [a.node.type for a in call.ancestors()] == [
        "ReturnStatement", "BlockStatement", "FunctionDeclaration", "Program"]


def test_it_knows_the_enclosing_function_and_whether_it_is_nested():
    tree = _tree("function outer() { a(); const inner = () => b(); }")
    outer = tree.body[0]
    visits = list(visit(outer.body, function=outer))
    assert _call(visits, "a").function is outer and not _call(visits, "a").nested
    assert _call(visits, "b").function.type == "ArrowFunctionExpression" and _call(visits, "b").nested


def test_it_knows_the_loops_around_a_node_including_iteration_callbacks():
    visits = list(visit(_tree("""
        for (const x of xs) { items.map((i) => inner(i)); once(); }
        while (go) { paged(); }
        after();
    """)))
    inner = _call(visits, "inner")
    assert [loop.type for loop in inner.loops] == ["ForOfStatement", "CallExpression"]
    assert inner.loop.type == "CallExpression"
    assert _call(visits, "once").loop.type == "ForOfStatement"
    assert _call(visits, "paged").loop.type == "WhileStatement"
    assert _call(visits, "after").loop is None


def test_it_does_not_count_a_loop_head_as_inside_the_loop():
    visits = list(visit(_tree("for (let i = 0; i < n(); i++) body();")))
    assert _call(visits, "n").loop is None
    assert _call(visits, "body").loop is not None


def test_it_knows_the_try_block_and_the_catch_handler_around_a_node():
    visits = list(visit(_tree("try { risky(); } catch (e) { report(e); } finally { done(); }")))
    assert _call(visits, "risky").try_statement.type == "TryStatement"
    assert _call(visits, "risky").catch is None
    assert _call(visits, "report").catch.type == "CatchClause"
    assert _call(visits, "report").try_statement is None
    assert _call(visits, "done").try_statement is None and _call(visits, "done").catch is None


def test_it_carries_inherited_data_through_annotate():
    # Depth below the root, worked out from the parent's data.
    visits = list(visit(_tree("f(g(1));"), annotate=lambda parent, key, child: parent.data + 1, data=0))
    assert _call(visits, "g").data == _call(visits, "f").data + 1 == 3


def test_it_skips_the_children_of_nodes_descend_refuses():
    tree = _tree("a(); function f() { b(); }")
    names = [at.node.callee.name for at in visit(tree, descend=lambda at: at.node.type != "FunctionDeclaration")
             if at.node.type == "CallExpression"]
    assert names == ["a"]


def test_it_annotates_only_the_children_of_the_kinds_asked_for():
    seen: list[str] = []

    def depth(parent: Visit, key: str, child) -> int:
        seen.append(parent.node.type)
        return parent.data + 1

    visits = list(visit(_tree("function f() { g(h(1)); }"), annotate=depth, data=0,
                        annotating=frozenset({"FunctionDeclaration", "BlockStatement"})))
    assert set(seen) == {"FunctionDeclaration", "BlockStatement"}
    # Program -> f takes the root's 0; f -> its body and body -> statement add one each; below, inherited.
    by_type = {at.node.type: at.data for at in visits}
    assert (by_type["FunctionDeclaration"], by_type["BlockStatement"], by_type["ExpressionStatement"]) == (0, 1, 2)
    assert _call(visits, "g").data == _call(visits, "h").data == by_type["Literal"] == 2
