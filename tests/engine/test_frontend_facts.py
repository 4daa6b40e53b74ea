"""Frontend facts from tree-sitter alone: the same facts esprima's extraction gives, or a hand-over to esprima.

Client hooks are compared with the esprima walker of the engine's first design (``esprima_hooks``).
"""

from __future__ import annotations

import dataclasses
import os
import textwrap
from pathlib import Path

import pytest

from auditor.engine.discovery import discover
from auditor.engine.frontend import _typescript_read, light_facts
from auditor.engine.parsing import decode_source, parse_source
from tests.engine.esprima_hooks import esprima_facts as esprima_facts_with_hooks

REPO_ROOT = Path(__file__).resolve().parents[2]
# What only the module import graph reads, and only for files the schema imports, which esprima
# reads again (reading.reread_imported_frontend): tree-sitter's facts leave these out.
IMPORT_GRAPH_FIELDS = frozenset({"import_statements", "top_level_reads"})


def same(light, full) -> bool:
    return all(getattr(light, f.name) == getattr(full, f.name) for f in dataclasses.fields(full)
               if f.compare and f.name not in IMPORT_GRAPH_FIELDS)


def esprima_facts(path: str, source: str):
    facts = esprima_facts_with_hooks(path, source)
    # The import graph's facts come from esprima alone: a file the schema imports is read again by it.
    return dataclasses.replace(facts, import_statements=(), top_level_reads=frozenset())


def assert_same_facts(path: str, source: str) -> None:
    light = light_facts(path, source)
    assert light is not None, f"{path}: tree-sitter handed it over"
    full = esprima_facts(path, source)
    for name in ("imports", "exports", "reexports", "use_node", "hook_calls", "hook_wrappers"):
        assert getattr(light, name) == getattr(full, name), name
    assert light.strings == full.strings
    assert same(light, full)


SNIPPETS = {
    "imports": ("src/a.ts", """
        import React, { useState as useLocal, "odd-name" as odd } from "react";
        import * as icons from "lucide-react";
        import type { Metadata } from "next";
        import { type Foo, bar } from "./bar";
        import "./styles.css";
        import legacy = require("legacy");
    """),
    "exports": ("src/b.tsx", """
        export const a = 1, { b } = obj, c = () => 2;
        export function d() {}
        export function* gen() {}
        export class E {}
        export abstract class F {}
        export enum Color { Red = "red", Green = "green" }
        export { a as "string name", c as renamed };
        export { x, y as z } from "./other";
        export * from "./all";
        export * as ns from "./ns";
        export type { T } from "./types";
        export { type U, v } from "./mixed";
        export interface I { a: string }
        export declare const ambient: number;
        export default function Page() { return <div title="t">x</div>; }
    """),
    "anonymous default": ("src/c.tsx", "export default async function () { return null; }\n"),
    "default identifier": ("src/d.ts", "const value = 3;\nexport default (value);\n"),
    "default class": ("src/e.ts", "export default class Store {}\n"),
    "default expression": ("src/f.ts", "export default { a: 1 };\n"),
    "escapes": ("src/g.ts", r"""
        const a = "tab\tnew\nquote\"back\\uni\u0041hex\x41brace\u{1F600}null\0done";
        const b = 'line \
        continued';
        const c = `cooked \n ${a} \u0042 \`tick\``;
        const d = String.raw`raw\n${a}`;
        const e = { "key with space": 1, 'single': 2 };
    """),
    "jsx attributes": ("src/h.jsx", """
        export function A() {
          return <a href="p\\nq" title='&copy; 2024 &amp; &#169; &#xA9; &unknown;' data-x="a & b">z</a>;
        }
    """),
    "crlf template": ("src/i.ts", "const a = `one\r\ntwo\rthree`;\r\nconst b = \"after\";\r\n"),
    "unicode positions": ("src/j.tsx", """
        const greeting = "héllo 👋 wörld";
        const after = `x${greeting}y` + "z";
        /* ümlaut comment */ const last = "done";
    """),
    "line separators": ("src/k.ts", "const a = 1;\u2028const b = \"two\";\rconst c = \"three\";\n"),
    "concatenations": ("src/l.ts", """
        const base = process.env.NEXT_PUBLIC_CONVEX_URL;
        const a = base + "/api/send";
        const b = "pre" + (base + "/mid") + ("post" + other);
        const c = x + size - unit + (unit - clasp) / 2;
        const d = "only" + "literals";
        const e = `${base}` + 1;
        const f = 1 + 2;
    """),
    "url kinds": ("src/m.tsx", """
        const cloud = process.env.NEXT_PUBLIC_CONVEX_URL!;
        const vite = import.meta.env.VITE_CONVEX_URL as string;
        const site = process.env.NEXT_PUBLIC_CONVEX_SITE_URL;
        const swapped = cloud.replace(".cloud", ".site");
        const trimmed = (process.env.CONVEX_URL ?? "").trim();
        const either = process.env["EXPO_PUBLIC_CONVEX_URL"] || fallback;
        let mutable = process.env.NEXT_PUBLIC_CONVEX_URL;
        const twice = process.env.NEXT_PUBLIC_CONVEX_URL;
        const twice = "again";
        for (var loose in obj) {}
        const urls = [`${cloud}/a`, `${vite}/b`, `${site}/c`, `${swapped}/d`, `${trimmed}/e`, `${either}/f`,
                      `${mutable}/g`, `${twice}/h`, `${loose}/i`, `${window.location.origin}/j`,
                      `${config?.env?.VITE_CONVEX_URL}/k`, `${getUrl().env.CONVEX_URL}/l`];
    """),
    "nested templates and tags": ("src/n.ts", """
        const a = `outer ${`inner ${deep}`} ${"str"}`;
        const b = css`color: ${color};`;
        const c = html`<p>${`x`}</p>`;
    """),
    "use node directive": ("src/o.ts", '"use node";\n"use strict";\nexport const a = "x";\n'),
    "late directive": ("src/p.ts", 'const a = 1;\n"use node";\n'),
    "hashbang": ("scripts/q.mjs", '#!/usr/bin/env node\n"use node";\nconsole.log("hi");\n'),
    "typescript only syntax": ("src/r.ts", """
        type A = "literal in a type" | "another";
        interface B { key: "typed" }
        function f<T extends "x">(a: "y", b?: number): "z" { return a as unknown as "z"; }
        const g = <const T,>(x: T) => x;
        const h = obj!.field satisfies Record<string, "s">;
        declare module "mod" { const x: "d"; }
        class C { private readonly p: "q" = "value"; declare d: "e"; }
    """),
    "typed expressions": ("src/v.ts", """
        import type { Doc } from "./types";
        import type Default from "./default";
        import { type Id, api } from "./api";
        export type { Shape } from "./shape";
        export { type Other, value } from "./other";
        export abstract class Base { abstract name: "n"; protected p = "kept"; }
        const base = process.env.NEXT_PUBLIC_CONVEX_URL!;
        const typed = (base as string) + "/api";
        const checked = "literal" satisfies string;
        const sum = "a" + base!;
        const cast = <string>base + "/cast";
        const nested = `${(base as any)!}/x`;
        const twice = (process.env.CONVEX_SITE_URL as unknown as string)!.trim();
        const site = `${twice}/hook`;
        type T = `template ${string} type`;
        function over(a: "x"): void;
        function over(a: string) { return a + "!"; }
        let later!: "definite";
    """),
    "use node after types": ("src/x.ts", 'type A = string;\ninterface B {}\n"use node";\nexport const c = "d";\n'),
    "abstract default class": ("src/w.ts", 'export default abstract class Store<T extends "k"> {}\n'),
    "js with jsx": ("src/s.js", 'export const A = () => <div className="a">{"b"}</div>;\n'),
    "commonjs": ("src/t.cjs", 'const x = require("x");\nmodule.exports = { y: `${x}/z` };\n'),
    "comments between specifiers": ("src/u.ts", """
        import { /* a */ a, // b
          b } from "./ab";
        export { /* c */ a };
    """),
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_it_reads_the_same_facts_as_esprima(name):
    path, source = SNIPPETS[name]
    assert_same_facts(path, textwrap.dedent(source).lstrip("\n"))


def test_it_reads_typescript_off_the_tree_as_written():
    # One parse and one query: the snippets above compare what it reads with esprima.
    for name in ("typed expressions", "abstract default class", "use node after types", "typescript only syntax",
                 "url kinds"):
        path, source = SNIPPETS[name]
        source = textwrap.dedent(source).lstrip("\n")
        assert _typescript_read(path, source, source, path.endswith(".tsx")) is not None, name


@pytest.mark.parametrize("source", [
    "enum Color { Red = 'red' }\n",
    "import legacy = require('legacy');\n",
    "const f = (): \n  string => 'x';\n",
    "\ufeffconst a = 'bom';\n",
    "const = ;\n",
])
def test_it_reads_the_blanked_text_of_what_the_blanking_rewrites(source):
    assert _typescript_read("src/x.ts", source, source, False) is None
    assert light_facts("src/x.ts", source) is None or same(light_facts("src/x.ts", source),
                                                           esprima_facts("src/x.ts", source))


def test_it_reads_hooks_over_the_blanked_text_of_a_file_read_as_written():
    source = textwrap.dedent("""
        import { useQuery } from "convex/react";
        import { api } from "../convex/_generated/api";
        import type { Doc } from "../convex/_generated/dataModel";
        export function Tasks({ id }: { id: string }) {
          const tasks = useQuery(api.tasks.list, { id } as any)!;
          type Row = typeof tasks;
          return <ul>{tasks.map((t: Doc<"tasks">) => <li key={t._id}>{t.text as string}</li>)}</ul>;
        }
    """).lstrip("\n")
    assert _typescript_read("src/tasks.tsx", source, source, True) is not None
    facts = light_facts("src/tasks.tsx", source)
    assert facts is not None and facts.hook_calls
    assert_same_facts("src/tasks.tsx", source)


def test_it_reads_hooks_off_the_tree_as_written_when_nothing_is_blanked():
    source = textwrap.dedent("""
        import { useMutation, useQuery } from "convex/react";
        import { api } from "../convex/_generated/api";
        export function Notes() {
          const notes = useQuery(api.notes.list);
          const add = useMutation(api.notes.add);
          return <button onClick={() => add({ text: "x" })}>{notes.length}</button>;
        }
    """).lstrip("\n")
    read = _typescript_read("src/notes.tsx", source, source, True)
    assert read is not None and read.blanked == [] and read.blanked_reader() is read
    facts = light_facts("src/notes.tsx", source)
    assert facts is not None and len(facts.hook_calls) == 2
    assert_same_facts("src/notes.tsx", source)


def test_it_reads_a_url_kind_through_a_constant_as_esprima_does():
    path, source = SNIPPETS["url kinds"]
    facts = light_facts(path, textwrap.dedent(source))
    assert facts is not None
    kinds = [part for fact in facts.strings if fact.value.endswith(("/a", "/b", "/c", "/d", "/e", "/f"))
             for kind, part in fact.parts if kind == "expr"]
    assert kinds == ["convex_cloud_url", "convex_cloud_url", "convex_site_url", "convex_site_url",
                     "convex_cloud_url", "convex_cloud_url"]


def frontend_files(root: Path) -> list[tuple[str, Path]]:
    try:
        found = discover(root)
    except Exception:
        return []
    return [(f.path, f.absolute) for f in found.frontend_files]


IN_REPOSITORY = [
    pytest.param(path, absolute, id=f"{root.name}/{path}")
    for root in sorted([*(REPO_ROOT / "tests" / "corpus").iterdir(), REPO_ROOT / "examples" / "demo-convex-app"])
    if root.is_dir()
    for path, absolute in frontend_files(root)
]


@pytest.mark.parametrize(("path", "absolute"), IN_REPOSITORY)
def test_it_matches_esprima_on_every_frontend_file_of_the_corpus(path, absolute):
    source = decode_source(absolute.read_bytes())
    light = light_facts(path, source)
    if light is not None:  # the files it hands over are read by esprima itself
        assert same(light, esprima_facts(path, source))


def test_it_reads_most_frontend_files_of_the_corpus_itself():
    light = [path for path, absolute in ((p.values[0], p.values[1]) for p in IN_REPOSITORY)
             if light_facts(path, decode_source(absolute.read_bytes())) is not None]
    assert len(IN_REPOSITORY) > 10 and len(light) >= len(IN_REPOSITORY) // 3


@pytest.mark.skipif(not os.environ.get("CONVEX_AUDIT_REALAPPS"),
                    reason="set CONVEX_AUDIT_REALAPPS to folders of real Convex apps (separated by ':')")
def test_it_matches_esprima_on_real_apps():
    differing = []
    for root in os.environ["CONVEX_AUDIT_REALAPPS"].split(":"):
        for path, absolute in frontend_files(Path(root)):
            source = decode_source(absolute.read_bytes())
            light = light_facts(path, source)
            parsed = parse_source(path, source) if light is not None else None
            if light is not None and parsed.tree is not None and not same(light, esprima_facts(path, source)):
                differing.append(f"{root}/{path}")
    assert differing == []


# Handing a file over to esprima -----------------------------------------------------------------

HANDED_OVER = {
    "a syntax error": ("src/h.ts", "const = ;\n"),
    "a typescript error": ("src/i.ts", "function f(a: ) {}\n"),
    "a declaration file": ("src/j.d.ts", "export declare const a: string;\n"),
    "a legacy octal escape": ("src/k.js", 'var a = "\\101";\n'),
    "an unknown extension": ("src/l.vue", "<template></template>\n"),
}


@pytest.mark.parametrize("name", sorted(HANDED_OVER))
def test_it_hands_over_to_esprima(name):
    path, source = HANDED_OVER[name]
    assert light_facts(path, source) is None


def test_it_keeps_files_importing_only_other_convex_react_names():
    source = ('import { ConvexProvider, ConvexReactClient } from "convex/react";\n'
              'import { useRouter } from "next/router";\n')
    assert_same_facts("src/providers.tsx", source)
