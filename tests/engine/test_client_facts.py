"""Client facts: Convex React hooks in components, aliased and namespace imports, project wrappers."""

from __future__ import annotations

from pathlib import Path

from tests.engine.helpers import line_of, project_facts

BACKEND = {
    "convex/tasks.ts": """
        import { query, mutation } from "./_generated/server";
        export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("tasks").take(20) });
        export const add = mutation({ args: {}, handler: async (ctx) => { await ctx.db.insert("tasks", {}); } });
    """,
}


def _calls(project, path):
    return [c for c in project.hook_calls if c.loc.path == path]


def test_it_reads_aliased_and_namespace_hooks(tmp_path: Path) -> None:
    files = {
        **BACKEND,
        "src/TaskList.tsx": """
            import { useQuery as useConvexQuery, useMutation } from "convex/react";
            import * as Convex from "convex/react";
            import { api } from "../convex/_generated/api";

            export function TaskList() {
              const tasks = useConvexQuery(api.tasks.list);
              const add = Convex.useMutation(api.tasks.add);
              const other = useMutation(api.tasks.add).withOptimisticUpdate((store) => {});
              add({});
              return <ul onClick={() => other({})}>{tasks.map((t) => <li key={t._id}>{t.text}</li>)}</ul>;
            }
        """,
    }
    project = project_facts(tmp_path, files)
    calls = {c.variable: c for c in _calls(project, "src/TaskList.tsx")}
    assert set(calls) == {"tasks", "add", "other"}
    assert calls["tasks"].hook == "useQuery" and str(calls["tasks"].target) == "api.tasks.list"
    assert [u.line for u in calls["tasks"].unguarded_uses] == [line_of(files, "src/TaskList.tsx", "tasks.map")]
    assert calls["add"].hook == "useMutation" and calls["add"].component == "TaskList"
    assert [c.line for c in calls["add"].render_calls] == [line_of(files, "src/TaskList.tsx", "add({});")]
    assert calls["other"].render_calls == ()  # called in an event handler


def test_it_counts_any_other_use_as_handling_loading(tmp_path: Path) -> None:
    project = project_facts(tmp_path, {
        **BACKEND,
        "app/page.tsx": """
            "use client";
            import { useQuery } from "convex/react";
            import { api } from "@/convex/_generated/api";

            export default function Page() {
              const tasks = useQuery(api.tasks.list);
              if (tasks === undefined) return <p>Loading</p>;
              return <ul>{tasks.map((t) => <li key={t._id}>{t.text}</li>)}</ul>;
            }
        """,
    })
    (call,) = _calls(project, "app/page.tsx")
    assert call.component == "Page"
    assert call.unguarded_uses == ()


def test_it_resolves_wrappers_in_other_files_and_through_aliases(tmp_path: Path) -> None:
    files = {
        **BACKEND,
        "src/hooks/useTasks.ts": """
            import { useQuery, useMutation } from "convex/react";
            import { api } from "../../convex/_generated/api";

            export function useTasks() {
              return useQuery(api.tasks.list);
            }
            export const useAddTask = () => useMutation(api.tasks.add);
            export function useStableQuery(query: any, args?: any) {
              return useQuery(query, args);
            }
        """,
        "src/components/Tasks.tsx": """
            import { useTasks, useAddTask } from "@/hooks/useTasks";
            import * as hooks from "../hooks/useTasks";
            import { useLocalStorage } from "../lib/storage";
            import { api } from "../../convex/_generated/api";

            const Tasks = () => {
              const tasks = useTasks();
              const add = useAddTask();
              const again = hooks.useStableQuery(api.tasks.list, {});
              const [value] = useLocalStorage("k");
              return <div>{tasks?.length}{again?.length}<button onClick={() => add({})} /></div>;
            };
            export default Tasks;
        """,
        "src/lib/storage.ts": """
            export function useLocalStorage(key: string) { return [key, () => {}]; }
        """,
        "src/lib/convex.ts": """
            export { useQuery, useMutation } from "convex/react";
            export * from "convex/react";
        """,
        "src/components/Reexported.tsx": """
            import { useQuery } from "../lib/convex";
            import { api } from "../../convex/_generated/api";

            export default () => {
              const tasks = useQuery(api.tasks.list);
              return <ul>{tasks.map((t) => <li key={t._id} />)}</ul>;
            };
        """,
    }
    project = project_facts(tmp_path, files)
    calls = {c.variable: c for c in _calls(project, "src/components/Tasks.tsx")}
    assert set(calls) == {"tasks", "add", "again"}
    assert calls["tasks"].hook == "useQuery" and calls["tasks"].wrapper == "useTasks"
    assert str(calls["tasks"].target) == "api.tasks.list"
    assert calls["add"].hook == "useMutation" and str(calls["add"].target) == "api.tasks.add"
    assert str(calls["again"].target) == "api.tasks.list"
    (reexported,) = _calls(project, "src/components/Reexported.tsx")
    assert reexported.hook == "useQuery" and reexported.component == "the default export"
    assert str(reexported.target) == "api.tasks.list" and len(reexported.unguarded_uses) == 1
    # Module facts stay unresolved; linking works on copies.
    module = project.frontend["src/components/Tasks.tsx"]
    assert all(call.hook is None for call in module.hook_calls)


def test_it_skips_test_files(tmp_path: Path) -> None:
    component = """
        import { useMutation } from "convex/react";
        import { api } from "../convex/_generated/api";

        export function Probe() {
          const add = useMutation(api.tasks.add);
          add({});
          return null;
        }
    """
    project = project_facts(tmp_path, {**BACKEND, "src/Probe.test.tsx": component,
                                       "src/__tests__/Probe.tsx": component, "src/Probe.tsx": component})
    assert sorted({c.loc.path for c in project.hook_calls}) == ["src/Probe.tsx"]
