"""parse_source: TypeScript is blanked to JavaScript of the same shape, then parsed by esprima.

Most tests state the exact blanked text for one construct, check that esprima produced a tree,
and check that an identifier after the blanked part sits at the same line and column (and range)
in the esprima tree as in the original source.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator
from typing import Any

import esprima
import pytest

from auditor.engine import parsing
from auditor.engine.parsing import ParsedSource, blank_types, decode_source, parse_source

# --- helpers ----------------------------------------------------------------------------------


def _nodes(tree: Any) -> Iterator[Any]:
    """Every esprima node under tree, iteratively (trees in these tests are small anyway)."""
    stack = [tree]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
        elif hasattr(value, "type") and hasattr(value, "__dict__"):
            yield value
            for key, child in reversed(list(vars(value).items())):
                if key not in {"loc", "range", "regex"} and not key.startswith("_"):
                    stack.append(child)


def _parse(source: str, path: str = "convex/example.ts") -> ParsedSource:
    parsed = parse_source(path, source)
    assert parsed.error is None, parsed.error
    assert parsed.tree is not None
    assert [len(line) for line in parsed.blanked.split("\n")] == [len(line) for line in source.split("\n")]
    return parsed


def _position(source: str, offset: int) -> tuple[int, int]:
    before = source[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1)


def _assert_in_place(parsed: ParsedSource, name: str) -> None:
    """The identifier `name` (its last occurrence in the source) is where the source has it."""
    offset = parsed.source.rindex(name)
    matches = [node for node in _nodes(parsed.tree) if node.type == "Identifier" and node.name == name]
    assert matches, f"no Identifier {name!r} in the tree"
    node = max(matches, key=lambda candidate: candidate._start)
    assert (node._start, node._end) == (offset, offset + len(name))
    assert (node._line, node._column) == _position(parsed.source, offset)
    assert parsed.source[node._start : node._end] == name


def _blanks_to(source: str, expected: str, *, path: str = "convex/example.ts") -> ParsedSource:
    parsed = _parse(source, path)
    assert parsed.blanked == expected
    _assert_in_place(parsed, "after")
    return parsed


def _top_level(parsed: ParsedSource) -> list[str]:
    return [statement.type for statement in parsed.tree.body]


# --- decode_source ----------------------------------------------------------------------------


def test_it_decodes_utf8_and_replaces_invalid_bytes():
    assert decode_source("é = 1".encode()) == "é = 1"
    assert decode_source(b"a\xff\xfeb") == "a\ufffd\ufffdb"


def test_it_strips_a_leading_bom_and_keeps_crlf():
    assert decode_source(b"\xef\xbb\xbfconst a = 1;\r\nb;\r\n") == "const a = 1;\r\nb;\r\n"


def test_it_decodes_random_bytes_without_raising():
    rng = random.Random(1234)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
        assert isinstance(decode_source(data), str)


# --- annotations ------------------------------------------------------------------------------


def test_it_blanks_variable_annotations():
    _blanks_to(
        'const count: number = 1;\nlet ids: Id<"users">[] = [];\nafter;',
        "const count         = 1;\nlet ids                = [];\nafter;",
    )


def test_it_blanks_parameter_and_return_annotations():
    _blanks_to(
        "function f(a: string, { b }: { b: number }): Promise<void> { return after(a, b); }",
        "function f(a        , { b }               )                { return after(a, b); }",
    )


def test_it_blanks_class_field_annotations():
    _blanks_to(
        "class C { count: number = 0; static name: string; }\nafter;",
        "class C { count         = 0; static name        ; }\nafter;",
    )


def test_it_blanks_annotations_on_catch_clauses_and_arrow_parameters():
    _blanks_to(
        "try {} catch (e: unknown) {}\nconst f = (x: number): string => after;",
        "try {} catch (e         ) {}\nconst f = (x        )         => after;",
    )


def test_it_blanks_type_predicates_and_assertion_signatures():
    _blanks_to(
        "function isS(x: unknown): x is string { return after; }\nfunction a(x: unknown): asserts x {}",
        "function isS(x         )              { return after; }\nfunction a(x         )            {}",
    )


def test_it_blanks_unique_symbol_keyof_and_typeof_inside_annotations():
    _blanks_to(
        "const k: unique symbol = Symbol();\nlet key: keyof typeof obj = after;",
        "const k                = Symbol();\nlet key                   = after;",
    )


# --- generics ---------------------------------------------------------------------------------


def test_it_blanks_type_arguments_on_calls_and_new():
    parsed = _blanks_to(
        'const [s] = useState<string>("");\nconst m = new Map<Id<"users">, number>();\nafter;',
        'const [s] = useState        ("");\nconst m = new Map                     ();\nafter;',
    )
    calls = [node for node in _nodes(parsed.tree) if node.type in {"CallExpression", "NewExpression"}]
    assert [call.callee.name for call in calls] == ["useState", "Map"]


def test_it_leaves_comparisons_alone_and_lets_tree_sitter_read_a_generic_call():
    parsed = _blanks_to(
        "if (a < b && c > d) {}\nconst r = x < y;\nconst g = f < T > (after);",
        "if (a < b && c > d) {}\nconst r = x < y;\nconst g = f       (after);",
    )
    assert any(node.type == "BinaryExpression" and node.operator == "<" for node in _nodes(parsed.tree))


def test_it_blanks_type_arguments_on_extends_and_instantiation_expressions():
    _blanks_to(
        "class A extends Base<Props> {}\nconst make = create<string>;\nafter;",
        "class A extends Base        {}\nconst make = create        ;\nafter;",
    )


def test_it_blanks_type_parameters_on_functions_classes_and_methods():
    _blanks_to(
        "function id<T extends object = {}>(x: T): T { return x; }\n"
        "class Box<T> { get<K extends keyof T>(k: K) { return after; } }",
        "function id                       (x   )    { return x; }\n"
        "class Box    { get                   (k   ) { return after; } }",
    )


def test_it_blanks_generic_arrow_functions_in_ts():
    parsed = _blanks_to(
        "const id = <T>(x: T): T => x;\nconst lazy = async <T,>(x: T) => after;",
        "const id =    (x   )    => x;\nconst lazy = async     (x   ) => after;",
    )
    assert sum(node.type == "ArrowFunctionExpression" for node in _nodes(parsed.tree)) == 2


def test_it_blanks_trailing_comma_type_parameters_in_tsx():
    parsed = _blanks_to(
        "const pick = <T,>(items: T[]) => <List items={items} />;\nafter;",
        "const pick =     (items     ) => <List items={items} />;\nafter;",
        path="src/Pick.tsx",
    )
    assert any(node.type == "JSXElement" for node in _nodes(parsed.tree))


def test_it_blanks_type_arguments_on_jsx_elements_in_tsx():
    _blanks_to(
        "const el = <Select<Option> value={after} />;",
        "const el = <Select         value={after} />;",
        path="src/Select.tsx",
    )


def test_it_blanks_angle_bracket_type_assertions_in_ts():
    _blanks_to(
        "const w = (<any>window).foo;\nlet v = <const>[after];",
        "const w = (     window).foo;\nlet v =        [after];",
    )


# --- declarations that are all type -------------------------------------------------------------


def test_it_blanks_interfaces_and_type_aliases():
    _blanks_to(
        "interface User {\n  name: string;\n}\ntype Status = 'a' | 'b';\nafter;",
        "                \n               \n \n                        \nafter;",
    )


def test_it_blanks_exported_and_default_exported_types():
    parsed = _blanks_to(
        "export type Id = string;\nexport interface P { a: 1 }\nexport default interface Q {}\nexport { after };",
        "                        \n                           \n                             \nexport { after };",
    )
    assert _top_level(parsed) == ["ExportNamedDeclaration"]


def test_it_blanks_declare_statements_and_blocks():
    parsed = _blanks_to(
        "declare const env: string;\ndeclare function g(): void;\ndeclare global {\n  interface Window { a: 1 }\n}\n"
        'declare module "m" {\n  export const x: number;\n}\nexport declare const e: 1;\nafter;',
        "                          \n                           \n                \n                           \n \n"
        "                    \n                         \n \n                          \nafter;",
    )
    assert _top_level(parsed) == ["ExpressionStatement"]


def test_it_blanks_overload_signatures_and_keeps_the_implementation():
    parsed = _blanks_to(
        "function over(a: string): string;\nexport function over(a: number): number;\n"
        "export function over(a: any) { return a; }\nafter;",
        "                                 \n                                        \n"
        "export function over(a     ) { return a; }\nafter;",
    )
    assert _top_level(parsed) == ["ExportNamedDeclaration", "ExpressionStatement"]


def test_it_blanks_index_and_method_overload_signatures_in_classes():
    parsed = _blanks_to(
        "class C {\n  [key: string]: unknown;\n  m(a: string): void;\n  m(a: any) { return after; }\n}",
        "class C {\n                        ;\n                    ;\n  m(a     ) { return after; }\n}",
    )
    methods = [node for node in _nodes(parsed.tree) if node.type == "MethodDefinition"]
    assert [method.key.name for method in methods] == ["m"]


# --- expressions ------------------------------------------------------------------------------


def test_it_blanks_as_and_satisfies_and_keeps_the_expression():
    parsed = _blanks_to(
        'const LIMIT = 10 as const;\nconst id = raw as unknown as Id<"users">;\n'
        "export default { a: 1 } satisfies Config;\nafter;",
        "const LIMIT = 10         ;\nconst id = raw                          ;\n"
        "export default { a: 1 }                 ;\nafter;",
    )
    declarations = [node for node in _nodes(parsed.tree) if node.type == "VariableDeclarator"]
    assert [d.init.type for d in declarations] == ["Literal", "Identifier"]


def test_it_blanks_non_null_assertions():
    parsed = _blanks_to(
        "const n = user!.name;\nitems[0]! = 1;\nafter(value!);",
        "const n = user .name;\nitems[0]  = 1;\nafter(value );",
    )
    members = [node for node in _nodes(parsed.tree) if node.type == "MemberExpression"]
    assert members[0].object.name == "user"


def test_it_blanks_definite_assignment_assertions():
    _blanks_to(
        "let ready!: boolean;\nclass C { field!: string; }\nafter;",
        "let ready          ;\nclass C { field         ; }\nafter;",
    )


def test_it_moves_the_arrow_when_a_return_type_spans_lines():
    parsed = _parse(
        "const h = async (x: number): Promise<{\n  ok: boolean;\n}> => ({ ok: after });",
    )
    assert parsed.blanked == "const h = async (x        )=>         \n              \n      ({ ok: after });"
    _assert_in_place(parsed, "after")
    assert any(node.type == "ArrowFunctionExpression" for node in _nodes(parsed.tree))


# --- imports and exports ----------------------------------------------------------------------


def test_it_blanks_type_only_imports_and_exports():
    parsed = _blanks_to(
        'import type { Doc } from "./_generated/dataModel";\nimport type * as T from "t";\n'
        'export type { Doc } from "./_generated/dataModel";\nexport type * from "./types";\n'
        'export type * as ns from "./types";\nafter;',
        "                                                  \n                            \n"
        "                                                  \n                             \n"
        "                                   \nafter;",
    )
    assert _top_level(parsed) == ["ExpressionStatement"]


def test_it_blanks_type_specifiers_and_their_commas_in_mixed_lists():
    parsed = _blanks_to(
        'import { type QueryCtx, query, type MutationCtx } from "./server";\nexport { type QueryCtx as Q, after };',
        'import {                query,                  } from "./server";\nexport {                     after };',
    )
    specifiers = [node for node in _nodes(parsed.tree) if node.type == "ImportSpecifier"]
    assert [specifier.local.name for specifier in specifiers] == ["query"]


def test_it_leaves_a_valid_empty_list_when_every_specifier_is_a_type():
    parsed = _blanks_to(
        'import { type A } from "x";\nimport D, { type B } from "y";\nexport { type A };\nafter;',
        'import {        } from "x";\nimport D, {        } from "y";\nexport {        };\nafter;',
    )
    imports = [node for node in parsed.tree.body if node.type == "ImportDeclaration"]
    assert [len(node.specifiers) for node in imports] == [0, 1]


def test_it_turns_import_require_into_a_const():
    parsed = _blanks_to(
        'import fs = require("fs");\nimport Alias = NS.Inner;\nimport type T = require("t");\nafter;',
        'const  fs = require("fs");\nconst  Alias = NS.Inner;\n                             \nafter;',
    )
    assert _top_level(parsed) == ["VariableDeclaration", "VariableDeclaration", "ExpressionStatement"]


def test_it_blanks_export_assignment_keywords():
    parsed = _blanks_to("export = after;", "         after;")
    assert _top_level(parsed) == ["ExpressionStatement"]


# --- parameters -------------------------------------------------------------------------------


def test_it_blanks_optional_markers_on_parameters_and_class_members():
    _blanks_to(
        "function f(a?: number, b?) {}\nclass C { x?: string; m?(): void {} }\nafter;",
        "function f(a         , b ) {}\nclass C { x         ; m ()       {} }\nafter;",
    )


def test_it_drops_this_parameters_with_their_comma():
    _blanks_to(
        "function f(this: Window, a: number) {}\nfunction g(this: Window) {}\nafter;",
        "function f(              a        ) {}\nfunction g(            ) {}\nafter;",
    )


def test_it_turns_parameter_properties_into_plain_parameters():
    parsed = _blanks_to(
        "class S {\n  constructor(private readonly db: Db, public name = after) {}\n}",
        "class S {\n  constructor(                 db    ,        name = after) {}\n}",
    )
    constructor = next(node for node in _nodes(parsed.tree) if node.type == "FunctionExpression")
    assert [param.type for param in constructor.params] == ["Identifier", "AssignmentPattern"]


# --- classes ----------------------------------------------------------------------------------


def test_it_blanks_member_modifiers():
    _blanks_to(
        "class C {\n  private readonly a = 1;\n  protected static b = 2;\n  public override m() {}\n"
        "  static accessor c = 3;\n}\nafter;",
        "class C {\n                   a = 1;\n            static b = 2;\n                  m() {}\n"
        "  static          c = 3;\n}\nafter;",
    )


def test_it_blanks_declare_fields_and_abstract_members():
    parsed = _blanks_to(
        "abstract class A {\n  declare kind: string;\n  abstract size: number;\n  abstract area(): number;\n"
        "  describe() { return after; }\n}",
        "         class A {\n                      ;\n                       ;\n                         ;\n"
        "  describe() { return after; }\n}",
    )
    members = [node for node in _nodes(parsed.tree) if node.type in {"PropertyDefinition", "MethodDefinition"}]
    assert [member.key.name for member in members] == ["describe"]


def test_it_blanks_abstract_on_exported_and_default_classes():
    _blanks_to(
        "export abstract class A {}\nexport default abstract class {}\nafter;",
        "export          class A {}\nexport default          class {}\nafter;",
    )


def test_it_blanks_implements_clauses():
    parsed = _blanks_to(
        "class Repo extends Base<T> implements Store<T>, Disposable {}\nafter;",
        "class Repo extends Base                                    {}\nafter;",
    )
    assert parsed.tree.body[0].superClass.name == "Base"


# --- enums ------------------------------------------------------------------------------------


def test_it_turns_an_enum_into_an_object_bound_to_its_name():
    parsed = _blanks_to(
        'enum Role { Admin = "admin", Member = "member" }\nafter;',
        'var  Role={ Admin : "admin", Member : "member" }\nafter;',
    )
    declarator = parsed.tree.body[0].declarations[0]
    assert declarator.id.name == "Role"
    assert [(p.key.name, p.value.value) for p in declarator.init.properties] == [
        ("Admin", "admin"),
        ("Member", "member"),
    ]


def test_it_drops_enum_members_without_initialisers_and_keeps_const_enums():
    parsed = _blanks_to(
        "export const enum Level { Low, High = 10, }\nenum Bare{ A }\ndeclare enum Ambient { X }\nafter;",
        "export const      Level={      High : 10, }\nvar  Bare     \n                          \nafter;",
    )
    declarations = [node for node in _nodes(parsed.tree) if node.type == "VariableDeclaration"]
    assert [(d.kind, d.declarations[0].id.name) for d in declarations] == [("const", "Level"), ("var", "Bare")]


# --- whole files ------------------------------------------------------------------------------

CONVEX_SCHEMA = """\
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  users: defineTable({ name: v.string(), tokenIdentifier: v.string() }).index("by_token", ["tokenIdentifier"]),
  messages: defineTable({
    author: v.id("users"),
    body: v.string(),
    channel: v.string(),
  }).index("by_channel", ["channel"]),
});
"""

CONVEX_MODULE = """\
import { v } from "convex/values";
import { httpRouter } from "convex/server";
import { query, mutation, httpAction, type QueryCtx } from "./_generated/server";
import type { Doc, Id } from "./_generated/dataModel";
import { api } from "./_generated/api";

const PAGE = 20 as const;

type Summary = { id: Id<"messages">; body: string };

async function author(ctx: QueryCtx, id: Id<"users">): Promise<Doc<"users"> | null> {
  return await ctx.db.get(id);
}

export const list = query({
  args: { channel: v.string(), limit: v.optional(v.number()) },
  handler: async (ctx, args): Promise<Summary[]> => {
    const rows = await ctx.db
      .query("messages")
      .withIndex("by_channel", (q) => q.eq("channel", args.channel))
      .order("desc")
      .take(args.limit ?? PAGE);
    return rows.map((row) => ({ id: row._id, body: row.body }) satisfies Summary);
  },
});

export const send = mutation({
  args: { channel: v.string(), body: v.string() },
  handler: async (ctx, { channel, body }) => {
    const identity = await ctx.auth.getUserIdentity();
    const user = await ctx.db
      .query("users")
      .withIndex("by_token", (q) => q.eq("tokenIdentifier", identity!.tokenIdentifier))
      .unique();
    const id: Id<"messages"> = await ctx.db.insert("messages", { author: user!._id, body, channel });
    return id;
  },
});

const http = httpRouter();
http.route({
  path: "/send",
  method: "POST",
  handler: httpAction(async (ctx, request) => {
    const payload = (await request.json()) as { channel: string; body: string };
    await ctx.runMutation(api.messages.send, payload);
    return new Response(null, { status: 200 });
  }),
});
export default http;
"""


def test_it_parses_a_realistic_convex_schema():
    parsed = _parse(CONVEX_SCHEMA, "convex/schema.ts")
    assert parsed.blanked == CONVEX_SCHEMA
    assert _top_level(parsed) == ["ImportDeclaration", "ImportDeclaration", "ExportDefaultDeclaration"]
    indexes = [
        node.arguments[0].value
        for node in _nodes(parsed.tree)
        if node.type == "CallExpression"
        and node.callee.type == "MemberExpression"
        and node.callee.property.name == "index"
    ]
    assert indexes == ["by_token", "by_channel"]


def test_it_parses_a_realistic_convex_module():
    parsed = _parse(CONVEX_MODULE, "convex/messages.ts")
    # `import type` and `type Summary` leave only whitespace: no statement at all.
    assert _top_level(parsed) == [
        "ImportDeclaration",
        "ImportDeclaration",
        "ImportDeclaration",
        "ImportDeclaration",
        "VariableDeclaration",
        "FunctionDeclaration",
        "ExportNamedDeclaration",
        "ExportNamedDeclaration",
        "VariableDeclaration",
        "ExpressionStatement",
        "ExportDefaultDeclaration",
    ]
    with_index = [
        node
        for node in _nodes(parsed.tree)
        if node.type == "CallExpression"
        and node.callee.type == "MemberExpression"
        and node.callee.property.name == "withIndex"
    ]
    # A call's position starts with the whole chain (`ctx.db`); the property is on its own line.
    assert [(call.arguments[0].value, call.callee.property._line) for call in with_index] == [
        ("by_channel", 20),
        ("by_token", 33),
    ]
    # Every identifier in the tree spells, at its range, its own name in the original source.
    for node in _nodes(parsed.tree):
        if node.type == "Identifier":
            assert parsed.source[node._start : node._end] == node.name


# --- positions with unusual text ---------------------------------------------------------------


def test_it_blanks_a_multibyte_character_to_one_space():
    source = 'const s: "héllo😀" = "é😀";\nconst t = 1; after;'
    parsed = _blanks_to(source, 'const s           = "é😀";\nconst t = 1; after;')
    assert parsed.blanked.index("=") == source.index("=")


def test_it_keeps_columns_in_characters_after_non_ascii_text():
    parsed = _parse('const s = "😀😀"; const count: number = 1; after;')
    _assert_in_place(parsed, "after")
    _assert_in_place(parsed, "count")


def test_it_keeps_crlf_line_endings_and_positions():
    source = "const a: number = 1;\r\ninterface I {\r\n  x: string;\r\n}\r\nafter;\r\n"
    parsed = _blanks_to(source, "const a         = 1;\r\n             \r\n            \r\n \r\nafter;\r\n")
    statement = parsed.tree.body[-1]
    assert (statement._line, statement._column) == (5, 0)


def test_it_reads_a_source_that_still_has_a_bom():
    parsed = _parse("\ufeffconst a: number = 1; after;")
    # esprima reads U+FEFF as whitespace, tree-sitter does not: it is blanked like a type.
    assert parsed.blanked == " const a         = 1; after;"
    _assert_in_place(parsed, "after")


# --- file kinds -------------------------------------------------------------------------------


def test_it_treats_declaration_files_as_all_types():
    parsed = _parse('export declare const x: number;\ndeclare module "y" {}\n', "types/env.d.ts")
    assert parsed.tree.body == []
    assert parsed.blanked.strip() == ""


def test_it_parses_jsx_in_js_and_jsx_files_without_blanking():
    for path in ("src/App.js", "src/App.jsx"):
        source = "const App = () => <div className={x ?? 'y'}>{items?.length}</div>;"
        parsed = _parse(source, path)
        assert parsed.blanked is source
        assert any(node.type == "JSXElement" for node in _nodes(parsed.tree))


def test_it_falls_back_to_script_for_commonjs():
    parsed = _parse("with (obj) { module.exports = x; }", "scripts/old.cjs")
    assert _top_level(parsed) == ["WithStatement"]
    failed = parse_source("scripts/strict.mjs", "with (obj) {}")
    assert failed.tree is None and failed.error is not None


def test_it_keeps_the_hashbang():
    parsed = _parse("#!/usr/bin/env node\nconst a = 1;", "bin/cli.mjs")
    assert parsed.tree.hashbang == "/usr/bin/env node"


def test_it_builds_the_same_estree_as_plain_esprima():
    # parsing.py replaces esprima's position bookkeeping with a faster equivalent; the tree must
    # not change.
    source = (
        "export const f = async ({ a, b = [1, `t${2}`] }, ...r) => {\n"
        "  for (const x of a?.b ?? []) { await x; }\n"
        "};\n"
        "class K extends Base { #p = 'é'; static { this.q = /re/g; } get v() { return <i>{this.#p}</i>; } }"
    )
    ours = _parse(source, "convex/plain.js").tree
    theirs = esprima.parseModule(source, {"range": True, "loc": True, "jsx": True})
    without_positions = esprima.toDict(theirs)
    _drop_positions(without_positions)
    assert esprima.toDict(ours) == without_positions
    positions = [(node._start, node._end, node._line, node._column, node._end_line, node._end_column)
                 for node in _nodes(ours) if node.type]
    expected = [(*node.range, node.loc.start.line, node.loc.start.column, node.loc.end.line, node.loc.end.column)
                for node in _nodes(theirs) if node.type]
    assert positions == expected and len(positions) > 50


@pytest.mark.parametrize("source", [
    "function f() {\n  return // why\n  x;\n}\nlet a = 1 /* c */ + 2;\n/** doc */\nexport { f };",
    "let y = a\n++b\nconst t = `x${ {k: 1}.k }y`;",
    "const o = { if: 1, null: 2, true: 3 }; o.if; o.null;",
    # Next to the tokens parsing.py reads by one match (_COMMON_TOKEN), what it leaves to esprima.
    "a?.b; c ?.5:1; d = .5 + 0.5 + 1..toString() + 0x1F + 0o7 + 0b1 + 1_000 + 1e3 + 123n + 0;",
    "x = 12345678901234567890 + 123456789012345 + 1234567890123456;",
    "s = ['a', \"b\", '\\u0041', \"l\\\ni\", '', \"'\", '\"'];",
    "a\\u0062c = é + éa + aé + $_1;",
    "a >>>= b; b >>= c; c <<= d; m &&= n; o ||= p; r ??= s; b **= c; d *= e; f += g; h -= i; j %= k; l ^= m;",
    "q = a >> d >= e << f <= h === i == j !== k != l && m || (o ?? p); t = a ** b * d + f++ - --g % j ^ l & n | o;",
    "x = [!p, ~q, ...r, a < b, a > b]; u = a / b; b /= c; v = /=x/g;",
    "w = `a${ { k: `b${1}` } }c${ d }`; class C { #x = 1; m() { return this.#x } }",
    "let yield_ = 1; var let_ = { await: 1, yield: 2, static: 3 };",
])
def test_it_reads_tokens_as_plain_esprima_does(source):
    # parsing.py moves nextToken's comment check out of a call; the tokens, and so the tree,
    # must not change.
    ours = _parse(source, "convex/tokens.js").tree
    theirs = esprima.parseModule(source, {"jsx": True})
    assert esprima.toDict(ours) == esprima.toDict(theirs)


@pytest.mark.parametrize("source", ["let interface = 1;", "var \\u0069f = 1;", "let x = n\\u0075ll;"])
def test_it_rejects_reserved_words_as_plain_esprima_does(source):
    with pytest.raises(esprima.Error) as theirs:
        esprima.parseModule(source)
    failed = parse_source("convex/words.mjs", source)
    assert failed.tree is None and failed.error is not None
    assert str(theirs.value) == f"Line {failed.error.line}: {failed.error.message}"
    assert (failed.error.line, failed.error.column + 1) == (theirs.value.lineNumber, theirs.value.column)


@pytest.mark.parametrize("source", ["let n = 08.5;", "let m = 3in[1];", "let k = 'open\nline';", "let j = 1__0;",
                                    "let i = 12abc;", "a @ b;", "let h = 0_1;", "let g = `${a}`}`;"])
def test_it_fails_on_bad_tokens_as_plain_esprima_does(source):
    # The tokens parsing.py does not read by one match, errors among them, are esprima's own.
    with pytest.raises(esprima.Error) as theirs:
        esprima.parseModule(source)
    with pytest.raises(esprima.Error) as ours:
        parsing._esprima(source, jsx=False, module=True)
    assert (str(ours.value), ours.value.index) == (str(theirs.value), theirs.value.index)


def _drop_positions(value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _drop_positions(item)
    elif isinstance(value, dict):
        value.pop("range", None)
        value.pop("loc", None)
        for item in value.values():
            _drop_positions(item)


def test_it_reads_a_multi_line_template_after_throw_and_yield():
    # esprima-fork on its own rejects the throw and drops the yield's argument.
    parsed = _parse("function f() {\n  throw `bad\n  input`;\n}\nfunction* g() { yield `a\nb`; yield\n`c`; }", "a.js")
    throw = parsed.tree.body[0].body.body[0]
    assert throw.type == "ThrowStatement" and throw.argument.type == "TemplateLiteral"
    yields = [node for node in _nodes(parsed.tree) if node.type == "YieldExpression"]
    assert [getattr(node.argument, "type", None) for node in yields] == ["TemplateLiteral", None]
    assert parse_source("a.js", "function f() { throw\n`a`; }").error is not None


def test_it_restores_the_garbage_collector():
    assert gc.isenabled()
    parse_source("convex/a.ts", "const a: number = 1;")
    parse_source("convex/b.ts", "const = ;")
    assert gc.isenabled()


# --- errors -----------------------------------------------------------------------------------


def test_it_reports_the_tree_sitter_error_position_for_broken_typescript():
    parsed = parse_source("convex/broken.ts", "const ok = 1;\nfunction f() {\n  return (\n}\n")
    assert parsed.tree is None
    assert parsed.error is not None
    assert (parsed.error.path, parsed.error.line, parsed.error.column) == ("convex/broken.ts", 3, 2)
    assert parsed.error.message.endswith("(TypeScript syntax the auditor could not read)")


def test_it_reports_esprima_position_and_token_inside_the_error():
    parsed = parse_source("convex/broken.ts", "const a: number = 1;\nf(a, b));")
    assert parsed.error is not None
    assert (parsed.error.line, parsed.error.column) == (2, 7)
    assert parsed.error.message == "Unexpected token ')' (TypeScript syntax the auditor could not read)"


def test_it_reports_typescript_it_cannot_read_with_esprima_position():
    parsed = parse_source("convex/ns.ts", "const a = 1;\nnamespace Util { export const b = 2; }")
    assert parsed.tree is None
    assert parsed.error is not None
    assert (parsed.error.line, parsed.error.column) == (2, 10)
    assert "TypeScript syntax the auditor could not read" in parsed.error.message


def test_it_reports_errors_in_javascript_without_the_typescript_note():
    parsed = parse_source("src/a.js", "let x = ;")
    assert parsed.error is not None
    assert (parsed.error.line, parsed.error.column) == (1, 8)
    assert parsed.error.message == "Unexpected token ';'"


def test_it_reports_positions_in_characters_on_crlf_and_non_ascii_lines():
    parsed = parse_source("src/a.js", 'const s = "😀";\r\nlet x = ;')
    assert parsed.error is not None
    assert (parsed.error.line, parsed.error.column) == (2, 8)


# --- hostile input ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["convex/a.ts", "src/a.tsx", "src/a.js", "src/a.cjs", "types/a.d.ts", "x.unknown"])
def test_it_never_raises_on_random_bytes(path: str):
    rng = random.Random(path)
    for _ in range(30):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 600)))
        parsed = parse_source(path, decode_source(data))
        assert (parsed.tree is None) == (parsed.error is not None)
        assert len(parsed.blanked) == len(parsed.source)


def test_it_never_raises_on_random_typescript_fragments():
    rng = random.Random(7)
    pieces = ["<", ">", "(", ")", "{", "}", ":", "?", "!", "as", "type", "enum", "x", ",", "=>", "'", "`", "\n"]
    for _ in range(200):
        source = " ".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40)))
        parsed = parse_source("convex/fuzz.ts", source)
        assert (parsed.tree is None) == (parsed.error is not None)


def test_it_reports_nul_characters_as_an_error():
    parsed = parse_source("convex/nul.ts", "const a = 1;\x00\nconst b: number = 2;")
    assert parsed.tree is None
    assert parsed.error is not None and parsed.error.line == 1
    assert parse_source("src/nul.js", "\x00").error is not None


def test_it_handles_lone_surrogates():
    parsed = parse_source("convex/s.ts", 'const a: string = "\ud800";')
    assert len(parsed.blanked) == len(parsed.source)


@pytest.mark.parametrize(
    "balanced",
    [
        "x = " + "[" * 10_000 + "]" * 10_000 + ";",
        "x = " + "(" * 10_000 + ")" * 10_000 + ";",
        "{" * 10_000 + "}" * 10_000,
    ],
    ids=["brackets", "parentheses", "braces"],
)
@pytest.mark.parametrize("path", ["convex/deep.ts", "src/deep.js"])
def test_it_reports_very_deep_nesting_as_too_deep(balanced: str, path: str):
    parsed = parse_source(path, balanced)
    assert parsed.tree is None
    assert parsed.error is not None
    assert parsed.error.message == "Nesting too deep to analyse"
    unclosed = parse_source(path, balanced[: len(balanced) // 2 + 2])
    assert unclosed.tree is None
    assert unclosed.error is not None


def test_it_parses_moderately_deep_nesting():
    source = "const s = " + "v.object({ a: " * 30 + "v.string()" + " })" * 30 + ";"
    _parse(source)


def test_it_parses_a_two_megabyte_single_line_file():
    literal = "x" * 2_000_000
    source = f'const big: string = "{literal}"; const after = 1; // {literal[:100_000]}'
    parsed = _parse(source, "convex/big.ts")
    assert "\n" not in parsed.blanked
    assert parsed.tree.body[-1].declarations[0].id._start == source.index("after")


def test_it_survives_a_two_megabyte_line_of_garbage():
    parsed = parse_source("convex/garbage.ts", "@#" * 1_000_000)
    assert parsed.tree is None
    assert parsed.error is not None and parsed.error.line == 1


def test_it_exposes_blank_types_for_ts_and_tsx():
    assert blank_types("let a: T = <T>b;", tsx=False) == "let a    =    b;"
    assert blank_types("const f = <T,>(a: T) => <p>{a}</p>;", tsx=True) == "const f =     (a   ) => <p>{a}</p>;"
    assert blank_types("x!;", tsx=True) == "x ;"


# The light read's second parse reuses the tree of the source ------------------------------------

LIGHT_SOURCES = {
    "types everywhere": ("a.ts", """
        import fs = require("fs");
        interface Row { id: string; tags: Array<string> }
        export type Id<T extends string> = T & { __brand: "id" };
        enum Colour { Red = 1, Green }
        const rows = <Row[]>[];
        export const pick = <T,>(items: T[], at: number): T | undefined => items[at] as T;
        function total(this: void, values: number[]): number { return values.reduce((a, b) => a + b, 0)!; }
        export default class Store<K> implements Iterable<K> { private items: K[] = []; *[Symbol.iterator]() {} }
        const fetched = fetch(`${process.env.NEXT_PUBLIC_CONVEX_URL!}/api`) satisfies Promise<Response>;
        """),
    "jsx with generics": ("b.tsx", """
        import { useQuery } from "convex/react";
        type Props = { title: string };
        export function Card<T,>({ title }: Props): JSX.Element {
          const rows = useQuery(api.rows.list, { limit: 10 as number }) ?? ([] as T[]);
          return <List<T> items={rows} title={title!} />;
        }
        """),
    "nothing to blank": ("c.ts", 'export const greeting = "hello";\n'),
}


def _shape(node: Any) -> list[tuple[str, int, int, tuple[int, int], tuple[int, int]]]:
    shape = []
    stack = [node]
    while stack:
        current = stack.pop()
        shape.append((current.type, current.start_byte, current.end_byte, current.start_point, current.end_point))
        stack.extend(reversed(current.children))
    return shape


@pytest.mark.parametrize("name", sorted(LIGHT_SOURCES))
def test_it_gives_the_light_read_an_edited_tree_that_reparses_as_a_fresh_parse(name):
    import textwrap

    import tree_sitter

    from auditor.engine.parsing import TS_LANGUAGE, TSX_LANGUAGE, blank_for_light_read

    path, source = LIGHT_SOURCES[name]
    source = textwrap.dedent(source).lstrip("\n")
    tsx = path.endswith(".tsx")
    light = blank_for_light_read(source, tsx=tsx)
    assert light is not None and light.tree is not None
    assert light.text == blank_types(source, tsx=tsx)
    parser = tree_sitter.Parser(TSX_LANGUAGE if tsx else TS_LANGUAGE)
    data = light.text.encode()
    reused = parser.parse(data, light.tree).root_node
    fresh = parser.parse(data).root_node
    assert not fresh.has_error
    assert _shape(reused) == _shape(fresh)


def test_it_gives_no_tree_to_reuse_when_bytes_are_not_characters():
    from auditor.engine.parsing import blank_for_light_read

    light = blank_for_light_read('const café: string = "é";\n', tsx=False)
    assert light is not None and light.tree is None
    assert light.text == 'const café         = "é";\n'
