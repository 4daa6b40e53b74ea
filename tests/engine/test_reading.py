"""Reading files into facts: tree-sitter for frontend files, esprima for the rest, a process pool when it pays."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from auditor.engine import frontend, reading
from auditor.engine.aliases import read_import_aliases
from auditor.engine.audit import audit_path
from auditor.engine.discovery import discover
from auditor.engine.factcache import ParseCache
from tests.engine.helpers import write_project

QUERY = """
    import { query } from "./_generated/server";
    export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("items").take(10) });
"""


def page(index: int) -> str:
    return f"""
        const url = process.env.NEXT_PUBLIC_CONVEX_URL;
        export default function Page{index}() {{
          return fetch(`${{url}}/webhook/{index}`).then((r) => r.json() + "{'x' * 400}");
        }}
    """


def project(tmp_path, pages: int = 12) -> dict[str, str]:
    files = {"convex/items.ts": QUERY}
    files.update({f"app/page{index}.tsx": page(index) for index in range(pages)})
    return files


def read(root, *, workers: int, cache: ParseCache | None = None):
    found = discover(root)
    skipped: list[dict[str, str]] = []
    entries = reading.read_files([*found.convex_files, *found.frontend_files], cache or ParseCache(max_bytes=0),
                                 skipped, read_import_aliases(found.root), workers=workers)
    return entries, skipped


def comparable(entries):
    return {path: (entry.facts and (entry.facts.strings, entry.facts.imports, entry.facts.exports), entry.failure,
                   entry.light) for path, entry in entries.items()}


def test_it_reads_the_same_entries_in_a_pool_as_alone(tmp_path):
    write_project(tmp_path, project(tmp_path))
    alone, _ = read(tmp_path, workers=1)
    pooled, _ = read(tmp_path, workers=2)
    assert comparable(pooled) == comparable(alone)
    assert sum(entry.light for entry in pooled.values()) == 12


def test_it_gives_the_same_report_cold_in_a_pool_and_alone(tmp_path, monkeypatch):
    write_project(tmp_path, project(tmp_path))
    alone = audit_path(tmp_path, cache=ParseCache(max_bytes=0))
    monkeypatch.setattr(reading, "POOL_MIN_SECONDS", 0)
    monkeypatch.setattr(reading, "_worker_count", lambda jobs: 2)
    pooled = audit_path(tmp_path, cache=ParseCache(max_bytes=0))
    assert [(f.rule, f.loc, f.message, f.fingerprint) for f in pooled.findings] == \
        [(f.rule, f.loc, f.message, f.fingerprint) for f in alone.findings]
    assert any(f.rule == "frontend/cloud-domain-for-http" for f in pooled.findings)


def test_it_reads_files_in_this_process_too_and_each_file_once(tmp_path, monkeypatch):
    write_project(tmp_path, project(tmp_path, pages=30))
    log = tmp_path / "reads.log"
    real = reading._extract

    def logged(path, *args, **kwargs):
        with log.open("a") as stream:
            stream.write(f"{os.getpid()} {path}\n")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(reading, "_extract", logged)
    entries, _ = read(tmp_path, workers=2)
    reads = [line.split(" ", 1) for line in log.read_text().splitlines()]
    assert sorted(path for _, path in reads) == sorted(entries) and len(entries) == 31
    assert str(os.getpid()) in {pid for pid, _ in reads}  # this process took its share


def test_it_stores_what_the_pool_read_in_the_cache(tmp_path):
    write_project(tmp_path, project(tmp_path))
    cache = ParseCache(tmp_path / "cache")
    read(tmp_path, workers=2, cache=cache)
    again = ParseCache(tmp_path / "cache")
    entries, _ = read(tmp_path, workers=2, cache=again)
    assert again.disk_hits >= 12 and len(entries) == 13


def test_it_isolates_a_file_that_fails_in_a_worker(tmp_path, monkeypatch):
    write_project(tmp_path, project(tmp_path))
    real = frontend.light_facts

    def failing(path, source):
        if path.endswith("page3.tsx"):
            raise RuntimeError("boom")
        return real(path, source)

    monkeypatch.setattr(frontend, "light_facts", failing)
    entries, _ = read(tmp_path, workers=2)
    assert len(entries) == 13
    broken = entries["app/page3.tsx"]
    assert not broken.light and broken.facts is not None  # esprima read it instead
    assert all(entries[f"app/page{index}.tsx"].light for index in range(12) if index != 3)


def test_it_reads_every_file_itself_when_a_worker_dies(tmp_path, monkeypatch):
    write_project(tmp_path, project(tmp_path))
    parent = os.getpid()
    real = frontend.light_facts

    def dying(path, source):
        if os.getpid() != parent:  # the worker dies on its first file, whichever this process left it
            os._exit(3)
        return real(path, source)

    monkeypatch.setattr(frontend, "light_facts", dying)
    entries, skipped = read(tmp_path, workers=2)
    assert len(entries) == 13 and skipped == []
    assert all(entry.facts is not None for entry in entries.values())


def test_it_uses_no_pool_for_little_work_or_inside_a_daemon(tmp_path, monkeypatch):
    write_project(tmp_path, project(tmp_path, pages=3))
    found = discover(tmp_path)
    jobs = [reading._Job(f, f.absolute.read_bytes(), (f.path, None, ""), True) for f in found.frontend_files]
    assert reading._worker_count(jobs) == 1  # three small files
    assert reading._worker_count(jobs * 20) == 1  # sixty: too little work for a pool to pay
    many = jobs * 2000
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    assert reading._worker_count(many) == 3
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    assert reading._worker_count(many) == 1


def test_it_reads_a_frontend_file_the_schema_imports_with_esprima(tmp_path, monkeypatch):
    write_project(tmp_path, {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { itemFields } from "../common/fields";
            export default defineSchema({ items: defineTable(itemFields) });
        """,
        "common/fields.ts": 'import { v } from "convex/values";\nimport { more } from "./more";\n'
                            "export const itemFields = { name: v.string(), ...more };\n",
        "common/more.ts": 'import { v } from "convex/values";\nexport const more = { size: v.number() };\n',
        "app/page.tsx": 'export default function Page() { return "hello"; }\n',
    })
    calls: list[tuple[str, bool]] = []
    real = reading.extract_entry

    def recording(path, module, data, aliases, *, light):
        calls.append((path, light))
        return real(path, module, data, aliases, light=light)

    monkeypatch.setattr(reading, "extract_entry", recording)
    audit_path(tmp_path, cache=ParseCache(max_bytes=0))
    assert ("app/page.tsx", True) in calls
    assert ("common/fields.ts", False) in calls and ("common/more.ts", False) in calls
    assert ("app/page.tsx", False) not in calls


def test_it_finds_an_import_cycle_through_a_file_outside_the_convex_folder(tmp_path):
    write_project(tmp_path, {
        "convex/schema.ts": """
            import { defineSchema, defineTable } from "convex/server";
            import { v } from "convex/values";
            import { extra } from "../common/extra";
            export const statusField = v.string();
            export default defineSchema({ items: defineTable({ status: statusField, ...extra }) });
        """,
        "common/extra.ts": """
            import { statusField } from "../convex/schema";
            export const extra = { s: statusField };
        """,
    })
    report = audit_path(tmp_path, cache=ParseCache(max_bytes=0))
    assert [f.loc.path for f in report.findings if f.rule == "schema/import-cycle"] == ["common/extra.ts"]


@pytest.mark.parametrize("workers", [1, 2])
def test_it_lists_a_file_it_cannot_read_as_skipped(tmp_path, workers):
    write_project(tmp_path, project(tmp_path))
    found = discover(tmp_path)
    (tmp_path / "app" / "page1.tsx").unlink()
    (tmp_path / "app" / "page1.tsx").mkdir()  # gone between listing and reading
    skipped: list[dict[str, str]] = []
    entries = reading.read_files([*found.convex_files, *found.frontend_files], ParseCache(max_bytes=0), skipped,
                                 read_import_aliases(found.root), workers=workers)
    assert "app/page1.tsx" not in entries and len(entries) == 12
    assert [entry["path"] for entry in skipped] == ["app/page1.tsx"]
    assert skipped[0]["reason"].startswith("unreadable")


SCOPED = """
    import { mutation } from "./_generated/server";
    import { v } from "convex/values";
    const LIMIT = 10;
    export const add = mutation({
      args: { ids: v.array(v.id("items")) },
      handler: async (ctx, { ids }) => {
        for (const id of ids) {
          let row = await ctx.db.get(id);
          try { await ctx.db.patch(id, { n: LIMIT }); } catch (error) { row = null; }
        }
        return ids.map((id) => ({ id }));
      },
    });
"""


@pytest.mark.parametrize(("path", "module", "light"), [("convex/items.ts", "items", False),
                                                       ("app/page.tsx", None, False),
                                                       ("app/page.tsx", None, True)])
def test_it_leaves_no_reference_cycles_behind_a_file(path, module, light):
    # A file's syntax tree must be freed as soon as its facts are out: held in a cycle (scopes and
    # their bindings pointing at each other), every tree waits for the collector, and a run with
    # the collector resting while files are read grows by each tree it reads.
    import gc

    source = (SCOPED if module else page(1)).encode()
    reading.extract_entry(path, module, source, None, light=light)  # imports and first-use caches
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        entry = reading.extract_entry(path, module, source, None, light=light)
        assert entry.failure is None
        gc.collect()
        left = list(gc.garbage)
    finally:
        gc.garbage.clear()
        gc.set_debug(0)
        gc.enable()
    assert left == []
