"""The facts cache: on disk across runs and processes, a byte-bounded memory LRU, damaged entries ignored."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.engine import cachedir, factcache
from auditor.engine.audit import audit_path
from auditor.engine.cachedir import default_cache_dir
from auditor.engine.factcache import CachedFile, ParseCache, engine_version
from auditor.engine.model import Location, ModuleFacts, ParseFailure, StringFact
from auditor.engine.reading import extract_entry
from tests.engine.helpers import write_project

REPO_ROOT = Path(__file__).resolve().parents[2]
KEY = ("convex/a.ts", "a", "0" * 64)
BROKEN = {"convex/broken.ts": "export const = ;\n"}


def facts_entry(path: str = "src/a.ts", text: str = "hello") -> CachedFile:
    loc = Location(path, 1, 0, 1, len(text))
    return CachedFile(ModuleFacts(path=path, module=None, source=f'"{text}"', strings=(StringFact(text, loc),)), None)


def failure_entry(path: str = "convex/a.ts") -> CachedFile:
    return CachedFile(None, ParseFailure(path, "Unexpected token", 1, 13))


def stored(directory: Path) -> dict[str, bytes]:
    """Every entry on disk under ``directory``, by name, read with SQLite itself."""
    entries: dict[str, bytes] = {}
    for database in directory.glob(f"facts-*/{factcache.DATABASE}"):
        with sqlite3.connect(database) as connection:
            entries.update(connection.execute("SELECT name, data FROM entries"))
    return entries


def overwrite(directory: Path, data: bytes) -> None:
    [database] = directory.glob(f"facts-*/{factcache.DATABASE}")
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE entries SET data = ?", (data,))


def test_it_keeps_entries_on_disk_for_another_cache_instance(tmp_path):
    ParseCache(tmp_path).put(KEY, facts_entry())
    later = ParseCache(tmp_path)
    entry = later.get(KEY)
    assert entry is not None and entry.facts is not None
    assert entry.facts.strings[0].value == "hello"
    assert (later.hits, later.misses, later.disk_hits) == (1, 0, 1)
    assert len(stored(tmp_path)) == 1


def test_it_misses_a_key_it_never_stored(tmp_path):
    cache = ParseCache(tmp_path)
    cache.put(KEY, failure_entry())
    assert cache.get(("convex/a.ts", "a", "1" * 64)) is None
    assert cache.get(("convex/b.ts", "a", "0" * 64)) is None  # same content elsewhere: other facts
    assert (cache.hits, cache.misses) == (0, 2)


def test_it_gives_each_read_its_own_copy(tmp_path):
    cache = ParseCache(tmp_path)
    cache.put(KEY, facts_entry())
    first, second = cache.get(KEY), cache.get(KEY)
    assert first is not None and second is not None and first is not second
    assert first.facts is not second.facts and first.facts == second.facts
    with pytest.raises(dataclasses.FrozenInstanceError):  # and facts refuse changes anyway
        first.facts.strings = ()  # type: ignore[union-attr,misc]
    assert ParseCache(tmp_path).get(KEY).facts.strings  # type: ignore[union-attr]


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps({"facts": None})[:-3],
                                     pickle.dumps({"facts": None}), pickle.dumps(["a", "list"])])
def test_it_ignores_and_rewrites_a_damaged_entry(tmp_path, content):
    ParseCache(tmp_path).put(KEY, failure_entry())
    overwrite(tmp_path, content)
    cache = ParseCache(tmp_path)
    assert cache.get(KEY) is None
    assert cache.bad_entries == 1
    cache.put(KEY, failure_entry())
    entry = ParseCache(tmp_path).get(KEY)
    assert entry is not None and entry.failure == failure_entry().failure


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_it_starts_afresh_from_a_database_file_that_is_not_one(tmp_path, content):
    first = ParseCache(tmp_path)
    first.put(KEY, failure_entry())
    first.close()
    [database] = tmp_path.glob(f"facts-*/{factcache.DATABASE}")
    for leftover in database.parent.glob(f"{factcache.DATABASE}-*"):
        leftover.unlink()
    database.write_bytes(content)
    cache = ParseCache(tmp_path)
    assert cache.get(KEY) is None and cache.disk_error is None
    cache.put(KEY, failure_entry())
    assert ParseCache(tmp_path).get(KEY) is not None and cache.disk_error is None


def test_it_turns_the_disk_off_when_the_database_cannot_be_written(tmp_path):
    ParseCache(tmp_path).put(KEY, failure_entry())
    [database] = tmp_path.glob(f"facts-*/{factcache.DATABASE}")
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TABLE entries")
        connection.execute("CREATE TABLE entries (name TEXT PRIMARY KEY, data BLOB NOT NULL CHECK (0))")
    cache = ParseCache(tmp_path)
    cache.put(KEY, failure_entry())
    assert cache.disk_error is not None and "IntegrityError" in cache.disk_error
    assert cache.folder is None
    assert cache.get(KEY) is not None  # memory still holds it


def test_it_writes_entries_put_together_when_the_batch_ends(tmp_path):
    cache = ParseCache(tmp_path)
    other = ("convex/b.ts", "b", "1" * 64)
    with cache.writing_together():
        cache.put(KEY, failure_entry())
        cache.put(other, failure_entry("convex/b.ts"))
        assert stored(tmp_path) == {} and cache.get(KEY) is not None  # held back, yet in memory
    assert len(stored(tmp_path)) == 2 and cache.disk_writes == 2
    assert ParseCache(tmp_path).get(other) is not None


def test_it_writes_held_back_entries_once_enough_bytes_wait(tmp_path, monkeypatch):
    monkeypatch.setattr(factcache, "WRITE_TOGETHER_BYTES", 1)
    cache = ParseCache(tmp_path)
    with cache.writing_together():
        cache.put(KEY, failure_entry())
        assert len(stored(tmp_path)) == 1


def test_it_turns_the_disk_off_when_entries_put_together_cannot_be_written(tmp_path):
    ParseCache(tmp_path).put(KEY, failure_entry())
    [database] = tmp_path.glob(f"facts-*/{factcache.DATABASE}")
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TRIGGER refuse BEFORE INSERT ON entries WHEN NEW.name LIKE 'f%' "
                           "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    keys = [(f"convex/{index}.ts", None, "0" * 64) for index in range(40)]
    cache = ParseCache(tmp_path)
    with cache.writing_together():
        for key in keys:
            cache.put(key, failure_entry(key[0]))
    assert cache.disk_error is not None and "refused" in cache.disk_error
    assert len(stored(tmp_path)) == 1  # the batch is all or nothing: none of it landed


def test_it_shares_the_database_between_processes_writing_at_once(tmp_path):
    script = (
        "import sys\n"
        "from auditor.engine.factcache import CachedFile, ParseCache\n"
        "from auditor.engine.model import ParseFailure\n"
        "cache = ParseCache(sys.argv[1])\n"
        "for index in range(200):\n"
        "    path = f'convex/{sys.argv[2]}{index}.ts'\n"
        "    cache.put((path, None, '0' * 64), CachedFile(None, ParseFailure(path, 'x', 1, 0)))\n"
        "assert cache.disk_error is None, cache.disk_error\n"
    )
    writers = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), name], cwd=REPO_ROOT)
               for name in ("a", "b", "c")]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0, 0]
    assert len(stored(tmp_path)) == 600
    reader = ParseCache(tmp_path)
    assert all(reader.get((f"convex/{name}{index}.ts", None, "0" * 64)) is not None
               for name in "abc" for index in range(200))


_OPENERS = 4


def _open_and_write(target: str, barrier, results) -> None:
    barrier.wait()  # all at once, as parallel audits on a new cache folder do
    try:
        database = cachedir.open_database(Path(target), factcache._SCHEMA)
        database.execute("INSERT INTO entries (name, data) VALUES (?, ?)", (str(os.getpid()), b"x"))
        results.put("written")
    except sqlite3.Error as error:
        results.put(f"{type(error).__name__}: {error}")


def test_it_opens_a_new_database_that_processes_make_at_once(tmp_path):
    # SQLite refuses at once (no waiting) all but one of the processes that switch a new file to
    # write-ahead logging together: each of those would have lost its first write.
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for trial in range(60):
        target = tmp_path / f"trial-{trial}.sqlite"
        barrier, results = context.Barrier(_OPENERS), context.Queue()
        openers = [context.Process(target=_open_and_write, args=(str(target), barrier, results))
                   for _ in range(_OPENERS)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(timeout=60)
        assert sorted(results.get(timeout=5) for _ in openers) == ["written"] * _OPENERS, f"trial {trial}"
        with sqlite3.connect(target) as connection:
            assert connection.execute("SELECT count(*) FROM entries").fetchone() == (_OPENERS,)


def _busy() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorcode = sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]
    return error


def test_it_opens_the_database_again_when_sqlite_refuses_it_at_once(tmp_path, monkeypatch):
    opened = cachedir._open
    refusals = [_busy(), _busy()]

    def refusing(target, schema):
        if refusals:
            raise refusals.pop()
        return opened(target, schema)

    monkeypatch.setattr(cachedir, "_open", refusing)
    database = cachedir.open_database(tmp_path / "facts.sqlite", factcache._SCHEMA)
    assert refusals == [] and database.execute("SELECT count(*) FROM entries").fetchone() == (0,)


def test_it_gives_up_on_a_database_busy_for_longer_than_it_waits(tmp_path, monkeypatch):
    def refusing(target, schema):
        raise _busy()

    monkeypatch.setattr(cachedir, "_open", refusing)
    monkeypatch.setattr(cachedir, "BUSY_SECONDS", 0.1)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        cachedir.open_database(tmp_path / "facts.sqlite", factcache._SCHEMA)
    assert 0.1 <= time.monotonic() - started < 5
    assert not (tmp_path / "facts.sqlite").exists()  # a busy database is never taken for a damaged one


def test_it_turns_the_disk_off_when_the_folder_cannot_be_made(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache = ParseCache(blocker / "cache")
    cache.put(KEY, failure_entry())
    assert cache.disk_error is not None and "NotADirectoryError" in cache.disk_error
    assert cache.folder is None
    assert cache.get(KEY) is not None  # memory still holds it


def test_it_audits_with_an_unwritable_cache_folder_and_says_why(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    write_project(tmp_path / "app", BROKEN)
    report = audit_path(tmp_path / "app", cache=ParseCache(blocker))
    assert report.stats["parse_errors"] == 1
    assert report.stats["cache"]["dir"] is None  # type: ignore[index]
    assert "NotADirectoryError" in report.stats["cache"]["disk_error"]  # type: ignore[index]


def test_it_separates_entries_of_different_engine_versions(tmp_path, monkeypatch):
    ParseCache(tmp_path).put(KEY, failure_entry())
    monkeypatch.setattr(factcache, "engine_version", lambda: "another-engine")
    cache = ParseCache(tmp_path)
    assert cache.get(KEY) is None
    assert cache.folder == tmp_path / "facts-another-engine"


def test_it_derives_the_engine_version_from_the_engine_source():
    version = engine_version()
    assert len(version) == 20 and int(version, 16) >= 0
    assert version == engine_version()


def test_it_bounds_memory_by_bytes_and_drops_the_least_recently_used(tmp_path):
    sizes = {}
    for index in range(3):
        data = factcache.dumps(facts_entry(text="x" * 100 * (index + 1)))
        assert data is not None
        sizes[index] = len(data)
    cache = ParseCache(max_bytes=sizes[0] + sizes[1] + sizes[2] - 1)
    keys = [(f"src/{index}.ts", None, str(index)) for index in range(3)]
    cache.put(keys[0], facts_entry(text="x" * 100))
    cache.put(keys[1], facts_entry(text="x" * 200))
    assert cache.get(keys[0]) is not None  # now the most recently used
    cache.put(keys[2], facts_entry(text="x" * 300))
    assert cache.memory_bytes <= cache._memory.maxsize
    assert cache.get(keys[1]) is None
    assert cache.get(keys[0]) is not None and cache.get(keys[2]) is not None


def test_it_keeps_no_entry_larger_than_the_whole_memory_bound():
    cache = ParseCache(max_bytes=10)
    cache.put(KEY, facts_entry())
    assert cache.memory_bytes == 0
    assert cache.get(KEY) is None


def test_it_keeps_nothing_with_a_zero_bound_and_no_folder():
    cache = ParseCache(max_bytes=0)
    cache.put(KEY, failure_entry())
    assert cache.get(KEY) is None


def test_it_refuses_a_negative_memory_bound():
    with pytest.raises(ValueError, match="max_bytes"):
        ParseCache(max_bytes=-1)


def test_it_pickles_an_extracted_entry_with_the_plain_pickler(tmp_path):
    source = '''
        import { query } from "./_generated/server";
        import { v } from "convex/values";
        export const list = query({
          args: { id: v.id("tasks") },
          handler: async (ctx, args) => {
            const rows = await ctx.db.query("tasks").withIndex("by_owner", (q) => q.eq("owner", args.id)).collect();
            return new Response(JSON.stringify(rows), { status: 200, headers: { "Content-Type": "text/html" } });
          },
        });
    '''
    entry = extract_entry("convex/tasks.ts", "tasks", source.encode(), None, light=False)
    assert entry.facts is not None and entry.facts.bodies["export:list"].db_calls
    # No guard and no stand-in: the standard pickler takes the entry as it is, and gives it back whole.
    assert pickle.loads(pickle.dumps(entry)) == entry
    cache = ParseCache(tmp_path)
    cache.put(KEY, entry)
    assert len(stored(tmp_path)) == 1
    again = cache.get(KEY)
    assert again is not None and again is not entry
    assert factcache.with_source(again, entry.facts.source) == entry
    # Locations are named tuples, rebuilt by the cache's own reducer: still Locations, not bare tuples.
    location = again.facts.bodies["export:list"].db_calls[0].loc
    assert type(location) is Location and location.path == "convex/tasks.ts" and location.line == 7


def test_it_caches_parse_failures_across_audits(tmp_path):
    write_project(tmp_path / "app", BROKEN)
    cold = audit_path(tmp_path / "app", cache=ParseCache(tmp_path / "cache"))
    warm = audit_path(tmp_path / "app", cache=ParseCache(tmp_path / "cache"))
    assert warm.stats["cache"]["hits"] == 1 and warm.stats["cache"]["misses"] == 0  # type: ignore[index]
    assert cold.stats["cache"]["misses"] == 1  # type: ignore[index]
    assert [(f.rule, f.loc, f.message) for f in warm.findings] == [(f.rule, f.loc, f.message) for f in cold.findings]
    assert any(f.rule == "engine/parse-error" for f in warm.findings)


@pytest.mark.parametrize(("environ", "expected"), [
    ({"XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"}, Path("/x/cache/convex-audit")),
    ({"HOME": "/home/u"}, Path("/home/u/.cache/convex-audit")),
    ({"XDG_CACHE_HOME": "", "HOME": "/home/u"}, Path("/home/u/.cache/convex-audit")),
    ({"XDG_CACHE_HOME": "relative/cache", "HOME": "/home/u"}, Path("/home/u/.cache/convex-audit")),
])
def test_it_follows_xdg_for_the_default_folder(environ, expected):
    assert default_cache_dir(environ) == expected


# The command line ---------------------------------------------------------------------------


def run_cli(*args: str, cache_home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["XDG_CACHE_HOME"] = str(cache_home)
    return subprocess.run([sys.executable, "-m", "auditor.engine", *args, "--format", "json", "--fail-on", "never"],
                          capture_output=True, text=True, cwd=REPO_ROOT, env=env, check=False)


def test_it_caches_under_xdg_cache_home_by_default_from_the_command_line(tmp_path):
    write_project(tmp_path / "app", BROKEN)
    first = run_cli(str(tmp_path / "app"), cache_home=tmp_path / "xdg")
    # A new file: the project changed, so the second run audits (no stored report) and reads
    # the unchanged file's facts from the cache the first process wrote.
    write_project(tmp_path / "app", {"convex/more.ts": "export const more = 1;\n"})
    second = run_cli(str(tmp_path / "app"), cache_home=tmp_path / "xdg")
    assert first.returncode == second.returncode == 0, first.stderr
    assert len(stored(tmp_path / "xdg" / "convex-audit")) == 2
    cache = json.loads(second.stdout)["stats"]["cache"]
    assert cache["report"] == "miss"
    assert (cache["hits"], cache["misses"]) == (1, 1)
    assert cache["dir"].startswith(str(tmp_path / "xdg" / "convex-audit"))


def test_it_caches_in_the_folder_given_by_cache_dir(tmp_path):
    write_project(tmp_path / "app", BROKEN)
    result = run_cli(str(tmp_path / "app"), "--cache-dir", str(tmp_path / "mine"), cache_home=tmp_path / "xdg")
    assert result.returncode == 0, result.stderr
    assert len(stored(tmp_path / "mine")) == 1
    assert not (tmp_path / "xdg").exists()


def test_it_keeps_nothing_on_disk_with_no_cache(tmp_path):
    write_project(tmp_path / "app", BROKEN)
    result = run_cli(str(tmp_path / "app"), "--no-cache", cache_home=tmp_path / "xdg")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["stats"]["cache"]["dir"] is None
    assert not (tmp_path / "xdg").exists()


def test_it_refuses_cache_dir_together_with_no_cache(tmp_path):
    write_project(tmp_path / "app", BROKEN)
    result = run_cli(str(tmp_path / "app"), "--no-cache", "--cache-dir", str(tmp_path), cache_home=tmp_path / "xdg")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_it_reads_unchanged_frontend_files_from_disk_on_the_next_audit(tmp_path):
    write_project(tmp_path / "app", {
        "convex/items.ts": 'import { query } from "./_generated/server";\n'
                           "export const list = query({ args: {}, handler: async () => [] });\n",
        "app/page.tsx": 'const url = process.env.NEXT_PUBLIC_CONVEX_URL;\n'
                        'export default function Page() { return fetch(`${url}/hook`); }\n',
        "app/about.tsx": 'export default function About() { return "about"; }\n',
    })
    cold = audit_path(tmp_path / "app", cache=ParseCache(tmp_path / "cache"))
    later = ParseCache(tmp_path / "cache")
    warm = audit_path(tmp_path / "app", cache=later)
    assert later.disk_hits >= 2  # both frontend files; Convex files join them once facts hold no syntax tree
    assert [(f.rule, f.loc, f.fingerprint) for f in warm.findings] == [(f.rule, f.loc, f.fingerprint)
                                                                        for f in cold.findings]
    assert any(f.rule == "frontend/cloud-domain-for-http" for f in warm.findings)


def test_it_removes_the_folders_of_other_engine_versions_once_stale(tmp_path):
    stale = tmp_path / "facts-0123456789abcdef0123"
    fresh = tmp_path / "facts-fedcba9876543210fedc"
    unrelated = tmp_path / "notes"
    for folder in (stale, fresh, unrelated):
        (folder / "ab").mkdir(parents=True)
        (folder / "ab" / "x.pickle").write_bytes(b"old")
    day_ago = time.time() - 2 * factcache.STALE_VERSION_SECONDS
    os.utime(stale, (day_ago, day_ago))
    os.utime(unrelated, (day_ago, day_ago))
    cache = ParseCache(tmp_path)
    cache.put(KEY, failure_entry())
    assert not stale.exists()
    assert fresh.exists() and unrelated.exists()  # in use by another version lately, or not ours
    assert cache.get(KEY) is not None


def test_it_prunes_nothing_in_a_folder_it_cannot_list(tmp_path):
    assert factcache.prune_other_versions(tmp_path / "missing") == []


def test_it_reads_a_fully_cached_project_without_loading_tree_sitter_or_extraction(tmp_path):
    import subprocess
    import sys

    from tests.engine.helpers import write_project

    root = write_project(tmp_path / "app", {
        "convex/tasks.ts": 'import { query } from "./_generated/server";\n'
                           "export const list = query({ args: {}, handler: async () => [] });\n",
        "src/App.tsx": 'import { useQuery } from "convex/react";\nimport { api } from "../convex/_generated/api";\n'
                       "export function App() { const t = useQuery(api.tasks.list); return <p>{t.length}</p>; }\n",
    })
    script = (
        "import sys\n"
        "from auditor.engine import ParseCache, audit_path\n"
        f"report = audit_path({str(root)!r}, cache=ParseCache({str(tmp_path / 'cache')!r}))\n"
        "loaded = sorted(name for name in sys.modules if name.split('.')[0] == 'tree_sitter' or name in {\n"
        "    'auditor.engine.parsing', 'auditor.engine.extract.extractor', 'auditor.engine.frontend'})\n"
        "print(report.stats['cache']['misses'], ' '.join(loaded))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
            for _ in range(2)]
    cold, warm = runs
    assert cold[0] == "2" and "auditor.engine.parsing" in cold  # the first run extracts both files
    assert warm == ["0"]  # the second reads both from disk and loads none of it


def test_it_waits_out_a_database_another_process_holds_and_leaves_it_alone(tmp_path, monkeypatch):
    first = ParseCache(tmp_path)
    first.put(KEY, failure_entry())
    first.close()
    [database] = tmp_path.glob(f"facts-*/{factcache.DATABASE}")
    monkeypatch.setattr(cachedir, "BUSY_SECONDS", 0.05)
    other = ("convex/b.ts", "b", "1" * 64)
    cache = ParseCache(tmp_path)
    with sqlite3.connect(database, isolation_level=None) as holder:
        holder.execute("BEGIN EXCLUSIVE")  # a writer that keeps the database past the busy timeout
        cache.put(other, failure_entry("convex/b.ts"))
        assert cache.busy_skips >= 1 and cache.disk_error is None  # that write lost, the disk still on
        holder.execute("COMMIT")
    cache.put(other, failure_entry("convex/b.ts"))
    later = ParseCache(tmp_path)
    assert later.get(KEY) is not None  # not taken for damaged, so not made anew
    assert later.get(other) is not None


def test_it_opens_the_database_again_after_closing_it(tmp_path):
    cache = ParseCache(tmp_path)
    cache.put(KEY, failure_entry())
    cache.close()
    cache.close()  # twice is harmless
    cache.put(("convex/b.ts", "b", "1" * 64), failure_entry("convex/b.ts"))
    assert cache.disk_error is None and len(stored(tmp_path)) == 2
