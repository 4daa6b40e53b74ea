"""The scope layer: bindings, shadowing, imports, parameters and constant values of one file."""

from __future__ import annotations

from auditor.engine.js import walk
from auditor.engine.parsing import parse_source
from auditor.engine.scope import UNKNOWN, ScopeModel


def _model(source: str) -> ScopeModel:
    return ScopeModel(parse_source("convex/x.ts", source).tree)


def _argument_of(model: ScopeModel, callee: str, index: int = 0):
    """The argument of the (last) call of ``callee(...)``, e.g. ``use(x)``."""
    calls = [n for n in walk(model.tree) if n.type == "CallExpression" and n.callee.type == "Identifier"
             and n.callee.name == callee]
    return calls[-1].arguments[index]


def test_it_resolves_an_identifier_to_its_declaration():
    model = _model("const limit = 10; use(limit);")
    binding = model.binding(_argument_of(model, "use"))
    assert binding.kind == "const" and binding.name == "limit"
    assert model.value(_argument_of(model, "use")) == 10


def test_it_honours_shadowing_by_parameters_and_inner_blocks():
    model = _model("""
        const name = "outer";
        function f(name) { use(name); }
        { const name = "block"; check(name); }
        after(name);
    """)
    assert model.binding(_argument_of(model, "use")).kind == "param"
    assert model.value(_argument_of(model, "use")) is UNKNOWN
    assert model.value(_argument_of(model, "check")) == "block"
    assert model.value(_argument_of(model, "after")) == "outer"


def test_it_hoists_var_to_the_function_and_function_declarations_to_their_block():
    model = _model("function f() { if (x) { var v = 1; } use(v); helper(); function helper() {} }")
    assert model.binding(_argument_of(model, "use")).kind == "var"
    helper_call = next(n for n in walk(model.tree) if n.type == "CallExpression" and n.callee.name == "helper")
    assert model.binding(helper_call.callee).kind == "function"


def test_it_records_imports_with_their_source_and_imported_name():
    model = _model('import { query as q } from "./_generated/server"; import * as api from "x"; import d from "y";')
    assert model.imports == {"q": ("./_generated/server", "query"), "api": ("x", "*"), "d": ("y", "default")}
    assert model.lookup("q").kind == "import"


def test_it_gives_no_constant_value_to_a_reassigned_name():
    model = _model("let url = 'a'; url = 'b'; use(url); let n = 1; n++; count(n);")
    assert model.binding(_argument_of(model, "use")).reassigned
    assert model.value(_argument_of(model, "use")) is UNKNOWN
    assert model.value(_argument_of(model, "count")) is UNKNOWN


def test_it_folds_literal_arrays_objects_and_member_access():
    model = _model("""
        const TABLES = ["users", "posts"];
        const CONFIG = { index: "by_owner", limits: { max: 5 } };
        use(TABLES[1], CONFIG.index, CONFIG["limits"].max, TABLES.length, { ...CONFIG, extra: true });
    """)
    call = next(n for n in walk(model.tree) if n.type == "CallExpression" and n.callee.name == "use")
    values = [model.value(argument) for argument in call.arguments]
    assert values[:4] == ["posts", "by_owner", 5, 2]
    assert values[4]["extra"] is True and values[4]["index"] == "by_owner"
    assert model.value(_argument_of(model, "use", 0)) == "posts"


def test_it_folds_template_literals_and_concatenation_with_constant_parts():
    model = _model("""
        const SITE = "https://happy-otter-123.convex.site";
        const PATH = "/api";
        use(`${SITE}${PATH}/hook`, SITE + PATH, `${SITE}/${id}`);
    """)
    assert model.value(_argument_of(model, "use", 0)) == "https://happy-otter-123.convex.site/api/hook"
    assert model.value(_argument_of(model, "use", 1)) == "https://happy-otter-123.convex.site/api"
    assert model.value(_argument_of(model, "use", 2)) is UNKNOWN
    parts = model.template_parts(_argument_of(model, "use", 2))
    assert parts[0] == ("text", "https://happy-otter-123.convex.site/")
    assert parts[1][0] == "expr" and parts[1][1].name == "id"


def test_it_gives_every_value_of_a_loop_over_a_literal_array():
    model = _model("""
        const ROUTES = [{ path: "/a", method: "GET" }, { path: "/b", method: "POST" }];
        for (const route of ROUTES) { register(route.path); }
        for (const { method } of ROUTES) { verb(method); }
        ["x", "y"].forEach((name) => each(name));
        for (const item of unknownList) { other(item); }
    """)
    route = model.binding(_argument_of(model, "register").object)
    assert route.iterates is not None
    assert model.values(_argument_of(model, "verb")) == ("GET", "POST")
    assert model.values(_argument_of(model, "each")) == ("x", "y")
    assert model.values(_argument_of(model, "other")) is None


def test_it_resolves_a_constant_to_the_expression_it_was_given():
    model = _model('const INDEX = "by_user"; const ALIAS = INDEX; q.withIndex(ALIAS);')
    call = next(n for n in walk(model.tree) if n.type == "CallExpression")
    resolved = model.resolve(call.arguments[0])
    assert resolved.type == "Literal" and resolved.value == "by_user"


def test_it_binds_destructured_names_and_catch_parameters():
    model = _model("const { a: { b } } = { a: { b: 3 } }; use(b); try {} catch ({ message }) { log(message); }")
    assert model.value(_argument_of(model, "use")) == 3
    assert model.binding(_argument_of(model, "log")).kind == "catch"


def test_it_treats_an_undeclared_name_as_a_global():
    model = _model("use(fetch);")
    assert model.binding(_argument_of(model, "use")) is None
    assert model.value(_argument_of(model, "use")) is UNKNOWN


def test_it_finds_the_indexed_nodes_inside_a_node_as_a_walk_of_it_would():
    source = """
        import { a as b, c } from "m";
        const top = 1;
        function outer(x) {
            const { y } = x;
            const inner = () => { const z = y; return z; };
            return inner;
        }
        const after = 2;
    """
    model = ScopeModel(parse_source("convex/x.ts", source).tree, index=("VariableDeclarator", "Identifier"))
    outer = next(n for n in walk(model.tree) if n.type == "FunctionDeclaration")
    for kind in ("VariableDeclarator", "Identifier"):  # an import keeps its identifiers out of source order
        expected = [n for n in walk(outer.body) if n.type == kind]
        found = model.within(kind, outer.body)
        assert expected and len(found) == len(expected)
        assert all(a is b for a, b in zip(found, expected, strict=True))


def test_it_finds_the_indexed_nodes_of_a_function_s_own_code():
    source = "function f() { const a = 1; const g = () => { const b = 2; }; return a; }"
    model = ScopeModel(parse_source("convex/x.ts", source).tree, index=("VariableDeclarator",))
    f = next(n for n in walk(model.tree) if n.type == "FunctionDeclaration")
    assert [d.id.name for d in model.in_function("VariableDeclarator", f)] == ["a", "g"]
    assert [d.id.name for d in model.within("VariableDeclarator", f.body)] == ["a", "g", "b"]
