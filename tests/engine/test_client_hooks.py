"""Client hooks read by tree-sitter (clienthooks): each hook shape, compared with the esprima walker."""

from __future__ import annotations

import textwrap

import pytest

from auditor.engine.frontend import client_facts, light_facts
from auditor.engine.model import FunctionRef
from tests.engine.esprima_hooks import esprima_facts

HOOK_SHAPES = {
    "use query": ("src/Tasks.tsx", """
        import { useQuery } from "convex/react";
        import { api } from "../convex/_generated/api";
        export function Tasks() {
          const tasks = useQuery(api.tasks.list, { done: false });
          return <ul>{tasks.map((t) => <li key={t._id}>{t.text}</li>)}</ul>;
        }
    """),
    "use mutation called while rendering": ("src/Send.tsx", """
        import { useMutation } from "convex/react";
        import { api } from "../convex/_generated/api";
        export default function Send() {
          const send = useMutation(api.messages.send);
          send({ body: "hi" });
          useMutation(api.messages.read)();
          return <button onClick={() => send({ body: "click" })}>Send</button>;
        }
    """),
    "use action and paginated query": ("src/Search.tsx", """
        import { useAction, usePaginatedQuery } from "convex/react";
        import { api, internal } from "@/convex/_generated/api";
        export const Search = () => {
          const run = useAction(api.search.run);
          const { results, loadMore } = usePaginatedQuery(api.search.page, {}, { initialNumItems: 10 });
          return <div onClick={() => run({})}>{results.length}</div>;
        };
    """),
    "use convex query": ("src/Client.tsx", """
        import { useConvex } from "convex/react";
        import { api } from "../convex/_generated/api";
        export function Client() {
          const convex = useConvex();
          const load = async () => convex.query(api.tasks.list, {});
          return <button onClick={load}>Load</button>;
        }
    """),
    "aliased imports": ("src/Aliased.tsx", """
        import { useQuery as useConvexQuery, useMutation as mutate } from "convex/react";
        import * as convex from "convex/react";
        import { api as generated } from "../convex/_generated/api";
        function Aliased() {
          const rows = useConvexQuery(generated.rows.list);
          const add = mutate(generated.rows.add);
          const user = convex.useQuery(generated.users.me);
          return <p>{rows.length} {user.name} {add.name}</p>;
        }
        export default Aliased;
    """),
    "api references": ("src/Refs.tsx", """
        import { useQuery } from "convex/react";
        import { api, internal } from "../convex/_generated/api";
        const listRef = api.notes.list;
        const alias = listRef;
        export function Refs({ fn }) {
          const byName = useQuery(api["notes"]["byName"], { name: "x" });
          const viaConst = useQuery(alias);
          const viaParam = useQuery(fn);
          const nested = useQuery(api.admin.users.list);
          const inner = useQuery(internal.jobs.status);
          const shadowed = (() => { const listRef = api.other.thing; return useQuery(listRef); })();
          return <p>{byName.length}{viaConst.length}{viaParam.length}{nested.length}{inner.x}{shadowed.x}</p>;
        }
    """),
    "a reassigned constant is no reference": ("src/Reassigned.tsx", """
        import { useQuery } from "convex/react";
        import { api } from "../convex/_generated/api";
        let ref = api.notes.list;
        if (Math.random() > 0.5) ref = api.notes.other;
        var twice = api.notes.a;
        var twice = api.notes.b;
        export function Reassigned() {
          const first = useQuery(ref);
          const second = useQuery(twice);
          return <p>{first.length}{second.length}</p>;
        }
    """),
    "optional chaining and defaults": ("src/Optional.tsx", """
        import { useQuery } from "convex/react";
        import { api } from "../convex/_generated/api";
        export function Guarded() {
          const a = useQuery(api.a.get);
          const b = useQuery(api.b.get);
          const c = useQuery(api.c.get);
          const d = useQuery(api.d.get);
          useEffect(() => { console.log(d?.x); }, [d]);
          console.log(c);
          const e = useQuery(api.e.get);
          const f = useQuery(api.f.get);
          const label = (() => f ?? "none")();
          return <p>{a?.name} {b.list?.length} {c.x} {d.y} {e.z} {(e)} {f.w} {label}</p>;
        }
    """),
    "dereferences": ("src/Deref.tsx", """
        import { useQuery } from "convex/react";
        import { api } from "../convex/_generated/api";
        export function Deref() {
          const rows = useQuery(api.rows.list);
          const items = useQuery(api.items.list);
          const pairs = useQuery(api.pairs.list);
          const spread = useQuery(api.spread.list);
          const objects = useQuery(api.objects.get);
          const { first } = rows;
          for (const item of items) console.log(item);
          const [left] = pairs;
          const all = [...spread];
          const merged = { ...objects };
          const total = Math.max(...spread);
          return <p>{first}{left}{all.length}{merged.a}{(rows)[0]}{total}</p>;
        }
    """),
    "skip and destructured results": ("src/Skip.tsx", """
        import { useQuery } from "convex/react";
        import { api } from "../convex/_generated/api";
        export const Skip = memo(function Skip({ id }) {
          const doc = useQuery(api.docs.get, id ? { id } : "skip");
          const { data, isLoading } = useQuery(api.docs.page);
          const later = useQuery(api.docs.later, `skip`);
          return <p>{doc.title}{data}{isLoading}{later.x}</p>;
        });
    """),
    "optimistic update and forward ref": ("src/Optimistic.tsx", """
        import { useMutation } from "convex/react";
        import { api } from "../convex/_generated/api";
        const Optimistic = forwardRef((props, ref) => {
          const like = useMutation(api.posts.like).withOptimisticUpdate((store, args) => {});
          like({});
          return <div ref={ref} />;
        });
        export default Optimistic;
    """),
    "project wrappers": ("src/hooks/useTasks.ts", """
        import { useQuery, useMutation } from "convex/react";
        import { api } from "../../convex/_generated/api";
        import { useStable } from "@/hooks/useStable";
        export function useTasks() {
          return useQuery(api.tasks.list);
        }
        export const useTask = (ref, args) => useQuery(ref, args);
        export const useAdd = () => useMutation(api.tasks.add).withOptimisticUpdate(() => {});
        export function useStableTasks() {
          return useStable(api.tasks.list);
        }
        export function useTwo(flag) {
          if (flag) return useQuery(api.a.b);
          return useQuery(api.c.d);
        }
    """),
    "calling project hooks": ("src/Board.tsx", """
        import useBoard from "./useBoard";
        import { useTasks as useAll } from "../hooks/useTasks";
        import * as hooks from "@/hooks";
        function useLocal() {
          return useAll();
        }
        export function Board() {
          const board = useBoard(api.boards.get);
          const all = useAll();
          const one = hooks.useTask(api.tasks.get, { id: "1" });
          const local = useLocal();
          return <div>{board.name}{all.length}{one.title}{local.x}</div>;
        }
    """),
    "default exports that render": ("src/Page.jsx", """
        import { useQuery } from "convex/react";
        export default function () {
          const page = useQuery(api.pages.get);
          return <>{page.title}</>;
        }
    """),
    "jsx names and labels": ("src/Names.tsx", """
        import { useQuery } from "convex/react";
        export function Names() {
          const Icon = useQuery(api.icons.get);
          const data = useQuery(api.data.get);
          outer: for (const x of []) { break outer; }
          const o = { data: 1, Icon };
          return <Icon.Root title="t">{data.x}<Icon /></Icon.Root>;
        }
    """),
    "hooks in nested functions and classes": ("src/Nested.tsx", """
        import { useQuery } from "convex/react";
        export function Outer() {
          const rows = useQuery(api.rows.list);
          function inner() { return useQuery(api.ignored.call); }
          class Helper { field = rows.length; method() { return rows.x; } }
          const handler = () => rows.map((r) => r);
          return <p onClick={handler}>{inner()}</p>;
        }
    """),
    "a bare ampersand in jsx text": ("src/Amp.tsx", """
        import { useQuery } from "convex/react";
        export function Amp() {
          const terms = useQuery(api.legal.terms);
          return <p>Terms & Conditions: {terms.text} R&D &amp; more</p>;
        }
    """),
    "typescript in hook calls": ("src/Typed.tsx", """
        import { useQuery } from "convex/react";
        import type { Id } from "../convex/_generated/dataModel";
        export function Typed<T>({ id }: { id: Id<"docs"> }) {
          const doc = useQuery(api.docs.get, { id: id as Id<"docs"> })!;
          const list = useQuery(api.docs.list satisfies unknown) as T[] | undefined;
          return <p>{doc.title}{list!.length}</p>;
        }
    """),
}


def read(path: str, source: str):
    facts = light_facts(path, textwrap.dedent(source).lstrip("\n"))
    assert facts is not None, f"{path}: tree-sitter handed it over"
    return facts


@pytest.mark.parametrize("name", sorted(HOOK_SHAPES))
def test_it_reads_the_hooks_the_esprima_walker_read(name):
    path, source = HOOK_SHAPES[name]
    light = read(path, source)
    full = esprima_facts(path, textwrap.dedent(source).lstrip("\n"))
    assert light.hook_wrappers == full.hook_wrappers
    assert light.hook_calls == full.hook_calls
    assert light.strings == full.strings


def test_it_finds_a_hook_call_for_every_shape_but_the_untracked_ones():
    # useConvex() and usePaginatedQuery are no rule's concern: the facts track useQuery,
    # useMutation and useAction (client.TRACKED_HOOKS).
    for name, (path, source) in HOOK_SHAPES.items():
        facts = read(path, source)
        hooks = {call.hook for call in facts.hook_calls} | {w.hook for w in facts.hook_wrappers.values()}
        assert bool(facts.hook_calls or facts.hook_wrappers) is (name != "use convex query"), name
        assert "usePaginatedQuery" not in hooks and "useConvex" not in hooks


def calls(name: str):
    return {call.variable or call.target_text: call for call in read(*HOOK_SHAPES[name]).hook_calls}


def test_it_resolves_references_through_aliases_constants_and_shadowing():
    found = calls("api references")
    assert found["byName"].target == FunctionRef("api", "notes", "byName")
    assert found["viaConst"].target == FunctionRef("api", "notes", "list")
    assert found["viaParam"].target is None and found["viaParam"].target_text == "fn"
    assert found["nested"].target == FunctionRef("api", "admin/users", "list")
    assert found["inner"].target == FunctionRef("internal", "jobs", "status")
    aliased = calls("aliased imports")
    assert aliased["rows"].hook == "useQuery" and aliased["add"].hook == "useMutation"
    assert aliased["user"].hook == "useQuery"
    assert aliased["rows"].target is None and aliased["rows"].target_text == "generated.rows.list"


def test_it_reads_no_constant_through_a_name_written_twice():
    found = calls("a reassigned constant is no reference")
    assert found["first"].target is None and found["second"].target is None


def test_it_tells_guarded_uses_from_unguarded_ones():
    found = calls("optional chaining and defaults")
    assert found["a"].unguarded_uses == ()  # a?.name handles undefined
    assert found["c"].unguarded_uses  # a console argument says nothing
    assert found["d"].unguarded_uses  # nor a dependency array; d?.x in a callback handles it there only
    assert found["e"].unguarded_uses == ()  # (e) as a JSX child handles it
    assert found["f"].unguarded_uses  # f ?? "none" inside a nested function
    deref = calls("dereferences")
    assert all(deref[name].unguarded_uses for name in ("rows", "items", "pairs", "spread"))
    assert deref["objects"].unguarded_uses == ()  # an object spread copies nothing from undefined


def test_it_records_calls_made_while_rendering_only():
    send = read(*HOOK_SHAPES["use mutation called while rendering"]).hook_calls
    assert len(send[0].render_calls) == 1 and len(send[1].render_calls) == 1
    optimistic = read(*HOOK_SHAPES["optimistic update and forward ref"]).hook_calls
    assert optimistic[0].variable == "like" and len(optimistic[0].render_calls) == 1


def test_it_reads_project_wrappers_and_the_calls_to_them():
    wrappers = read(*HOOK_SHAPES["project wrappers"]).hook_wrappers
    assert wrappers["useTasks"].hook == "useQuery"
    assert wrappers["useTasks"].target == FunctionRef("api", "tasks", "list")
    assert wrappers["useTask"].target_param == 0
    assert wrappers["useAdd"].hook == "useMutation"
    assert wrappers["useStableTasks"].via == ("@/hooks/useStable", "useStable")
    assert "useTwo" not in wrappers  # two returns: which one is not known
    board = calls("calling project hooks")
    assert board["board"].via == ("./useBoard", "default") and board["board"].wrapper == "useBoard"
    assert board["all"].via == ("../hooks/useTasks", "useTasks") and board["all"].wrapper == "useTasks"
    assert board["one"].via == ("@/hooks", "useTask")
    assert board["local"].via == ("", "useLocal")


def test_it_marks_skipped_queries():
    found = calls("skip and destructured results")
    assert found["doc"].skip and found["later"].skip
    page = next(call for call in read(*HOOK_SHAPES["skip and destructured results"]).hook_calls
                if call.variable is None)
    assert not page.skip and page.unguarded_uses


def test_it_reads_the_hooks_of_a_file_esprima_reads():
    source = textwrap.dedent("""
        import { useQuery } from "convex/react";
        const repeated = /(a)\\1/;
        export function Legacy() {
          const rows = useQuery(api.rows.list);
          return <p>{rows.length}</p>;
        }
    """).lstrip("\n")
    # What looks like a legacy octal escape (a regex backreference here): esprima reads its strings.
    assert light_facts("src/Legacy.jsx", source) is None
    wrappers, found = client_facts("src/Legacy.jsx", source)
    assert wrappers == {} and [call.variable for call in found] == ["rows"]
    assert found == esprima_facts("src/Legacy.jsx", source).hook_calls
