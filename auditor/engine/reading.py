"""Reading the audited files into facts: the facts cache first, then tree-sitter or esprima.

Each file is read and hashed once; a cache hit costs nothing more. A miss is extracted:

* a frontend file (outside the Convex folder) by tree-sitter alone when that gives all its facts
  (``frontend.light_facts``), else by esprima like a Convex file (``extract``), its client hooks
  still read by tree-sitter (``frontend.client_facts``);
* when enough work misses (``POOL_MIN_SECONDS``) and the machine has the cores, across forked
  workers and this process, each file on its own: a file that fails costs that file, a worker
  that dies sends the files it had back to this process.

A frontend file the schema imports (directly or through other files) is always read by esprima,
as the module import graph, walked from the schema, reads syntax trees (``imports.ImportGraph``).
"""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Iterable
from dataclasses import dataclass

from auditor.engine import factcache, safefiles
from auditor.engine.aliases import ImportAliases
from auditor.engine.discovery import SourceFile
from auditor.engine.factcache import CachedFile, CacheKey, ParseCache, with_source
from auditor.engine.imports import ImportGraph
from auditor.engine.model import ModuleFacts, ParseFailure, ProjectFacts
from auditor.engine.safefiles import decode_source
from auditor.engine.stackroom import with_stack_room

# The parsers, the extraction and the process pool are imported where a file is extracted: a run
# that finds every file in the facts cache never loads them.

INTERNAL_ERROR = "the auditor failed on this file (internal error)"
# A pool pays only past this much estimated work: starting workers and carrying the facts back
# costs about 0.1 s. Rates measured on real apps (one core): esprima with extraction reads about
# 400 KB/s, tree-sitter's frontend facts about 1.5 MB/s.
POOL_MIN_SECONDS = 0.5
ESPRIMA_BYTES_PER_SECOND = 400 * 1024
LIGHT_BYTES_PER_SECOND = 1500 * 1024
POOL_MIN_FILES = 8
MAX_WORKERS = 8
# Cache keys of files read by esprima although tree-sitter could have read them (see the docstring).
_FULL = "(read by esprima)"


@dataclass(slots=True)
class _Job:
    source_file: SourceFile
    data: bytes
    key: CacheKey
    light: bool  # tree-sitter may read it


def read_files(files: Iterable[SourceFile], cache: ParseCache, skipped: list[dict[str, str]],
               aliases: ImportAliases, *, workers: int | None = None) -> dict[str, CachedFile]:
    """Each readable file's cached or freshly extracted entry, by path; unreadable files go to ``skipped``."""
    entries: dict[str, CachedFile] = {}
    jobs: list[_Job] = []
    fingerprint = aliases.fingerprint  # a digest of its own: worked out once, not per file
    # Unpickling makes no reference cycles, and the collector's passes over the growing heap
    # cost as much as the unpickling itself: it rests while the cache is read.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for source_file in files:
            try:
                data, digest = safefiles.read_with_digest(source_file.absolute)
            except OSError as error:
                skipped.append({"path": source_file.path, "reason": f"unreadable: {error.strerror}"})
                continue
            key = _key(source_file, digest, fingerprint)
            entry = cache.get(key)
            if entry is not None:
                entries[source_file.path] = with_source(entry, decode_source(data))
            else:
                jobs.append(_Job(source_file, data, key, light=not source_file.in_convex))
    finally:
        _settle(collecting)
    if not jobs:
        return entries
    count = _worker_count(jobs) if workers is None else workers
    with cache.writing_together():
        pending = _extract_in_pool(jobs, count, aliases, cache, entries) if count > 1 else jobs
        for job in pending:
            _read_here(job, aliases, cache, entries)
    return entries


def _read_here(job: _Job, aliases: ImportAliases, cache: ParseCache, entries: dict[str, CachedFile]) -> None:
    """Extract the job's file in this process, and keep its entry in the cache and in ``entries``."""
    entry = extract_entry(job.source_file.path, job.source_file.module, job.data, aliases, light=job.light)
    cache.put(job.key, entry)
    entries[job.source_file.path] = entry


def reread_imported_frontend(project_root: str, convex_dir: str, modules: list[ModuleFacts],
                             frontend: dict[str, ModuleFacts], light_paths: set[str], files: dict[str, SourceFile],
                             cache: ParseCache, aliases: ImportAliases) -> None:
    """Read again, by esprima, the frontend files read by tree-sitter that the schema imports."""
    while True:
        project = ProjectFacts(root=project_root, convex_dir=convex_dir,
                               modules={m.path: m for m in modules}, frontend=dict(frontend))
        project.import_aliases = aliases
        graph = ImportGraph(project)
        # The graph is walked from the schema alone (schema/import-cycle, its one reader).
        queue = [module.path for module in modules if module.schema is not None]
        seen = set(queue)
        while queue:
            for edge in graph.edges(queue.pop()):
                if edge.target not in seen:
                    seen.add(edge.target)
                    queue.append(edge.target)
        targets = sorted(seen & light_paths)
        if not targets:
            return
        for path in targets:
            light_paths.discard(path)
            source_file = files[path]
            try:
                data, digest = safefiles.read_with_digest(source_file.absolute)
            except OSError:
                continue  # it was read a moment ago; keep what tree-sitter found
            key = (path, _FULL, _key(source_file, digest, aliases.fingerprint)[2])
            entry = cache.get(key)
            if entry is None:
                entry = extract_entry(path, None, data, aliases, light=False)
                cache.put(key, entry)
            else:
                entry = with_source(entry, decode_source(data))
            if entry.facts is not None:
                frontend[path] = entry.facts


def extract_entry(path: str, module: str | None, data: bytes, aliases: ImportAliases | None, *,
                  light: bool) -> CachedFile:
    """One file's facts or parse failure; never raises."""
    from auditor.engine.parsing import gc_paused

    source = decode_source(data)
    # The collector rests while a file is read: the syntax tree and the extraction's working sets
    # are hundreds of thousands of live objects that each pass would rescan for nothing (a third of
    # the extraction's time on real apps). What the file leaves behind is collected afterwards.
    with gc_paused():
        return _extract(path, module, source, aliases, light=light)


def _extract(path: str, module: str | None, source: str, aliases: ImportAliases | None, *,
             light: bool) -> CachedFile:
    from auditor.engine import frontend
    from auditor.engine.extract import extract_module
    from auditor.engine.parsing import parse_source
    from auditor.engine.reserved import reserved_export_at

    if light:
        try:
            facts = frontend.light_facts(path, source)
        except (Exception, RecursionError):  # esprima gets its turn, and reports what is wrong
            facts = None
        if facts is not None:
            return CachedFile(facts, None, light=True)
    parsed = parse_source(path, source)
    if parsed.tree is None:
        failure = parsed.error or ParseFailure(path, "could not parse", 1, 0)
        failure = dataclasses.replace(failure, reserved_export=reserved_export_at(source, failure.line, failure.column))
        return CachedFile(None, failure)
    try:
        facts = extract_module(path, module, source, parsed.tree, aliases)
        if module is None:  # hooks are read by tree-sitter alone, in every frontend file
            wrappers, calls = frontend.client_facts(path, source)
            facts = dataclasses.replace(facts, hook_wrappers=wrappers, hook_calls=calls)
        return CachedFile(facts, None)
    except RecursionError:
        return CachedFile(None, ParseFailure(path, "Nesting too deep to analyse", 1, 0))
    except Exception as error:  # one file must never stop the audit of the others
        message = f"{INTERNAL_ERROR}: {type(error).__name__}: {error}"[:300]
        return CachedFile(None, ParseFailure(path, message, 1, 0))


def _settle(collecting: bool) -> None:
    """Turn the collector back on (if it was) with the facts just unpickled in its oldest generation.

    Objects made while it rested wait in the youngest generation, and would be scanned there, then
    in the middle one, before they reach the oldest: two passes over every fact of the project
    (a fifth of a warm run). Facts live as long as the audit, so they go straight to the oldest;
    nothing is frozen for good (``gc.unfreeze`` hands them back at once)."""
    if collecting:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


def _key(source_file: SourceFile, digest: str, aliases_fingerprint: str) -> CacheKey:
    # Which imports are project code depends on the repository's aliases, so they key the cache too.
    return (source_file.path, source_file.module, f"{digest}:{aliases_fingerprint}")


# The pool ------------------------------------------------------------------------------------


def _worker_count(jobs: list[_Job]) -> int:
    if len(jobs) < POOL_MIN_FILES or estimated_seconds(jobs) < POOL_MIN_SECONDS:
        return 1
    import multiprocessing

    if multiprocessing.current_process().daemon:
        return 1  # a Celery prefork child may not start processes of its own
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS))


def estimated_seconds(jobs: Iterable[_Job]) -> float:
    """How long one core would take to extract ``jobs`` (frontend files as if tree-sitter reads them all)."""
    return sum(len(job.data) / (LIGHT_BYTES_PER_SECOND if job.light else ESPRIMA_BYTES_PER_SECOND) for job in jobs)


_worker_aliases: ImportAliases | None = None


def _start_worker(aliases: ImportAliases) -> None:
    global _worker_aliases
    _worker_aliases = aliases


def _work(task: tuple[str, str | None, bytes, bool]) -> bytes | None:
    """A file's entry, pickled; None when it cannot travel (the caller then extracts it itself)."""
    path, module, data, light = task
    # A forked worker inherits the room audit_path made; a spawned one makes its own.
    entry = with_stack_room(extract_entry, path, module, data, _worker_aliases, light=light)
    return factcache.dumps(entry)


def _extract_in_pool(jobs: list[_Job], workers: int, aliases: ImportAliases, cache: ParseCache,
                     entries: dict[str, CachedFile]) -> list[_Job]:
    """Extract the files across ``workers`` processes, this one among them; return the jobs left.

    ``workers - 1`` forked workers take the costliest files first while this process takes the
    cheapest, until they meet: a file is this process's while its task can still be cancelled
    (no worker has started it). This process would otherwise sit idle on a core, and the facts
    it reads itself need no pickle to reach it. Between its own files it takes in what the
    workers have sent, so that little is left to unpickle once they are done."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if len(jobs) < POOL_MIN_FILES:
        return jobs
    # One file per task, the costliest first: chunks of neighbours in that order would hand one
    # worker every big Convex file (the first chunk) while the others read the small ones.
    poolable = sorted(jobs, key=lambda job: -estimated_seconds((job,)))
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    if context is not None:
        # Imported once here rather than in each forked worker (~0.06 s of CPU apiece), where
        # _extract would otherwise import them on its first file.
        import auditor.engine.extract
        import auditor.engine.frontend
        import auditor.engine.parsing
        import auditor.engine.reserved  # noqa: F401
    left: list[_Job] = []
    collecting = gc.isenabled()
    gc.disable()  # as when the cache is read (see read_files)
    try:
        with ProcessPoolExecutor(max_workers=max(1, workers - 1), mp_context=context, initializer=_start_worker,
                                 initargs=(aliases,)) as pool:
            futures = [pool.submit(_work, (job.source_file.path, job.source_file.module, job.data, job.light))
                       for job in poolable]
            taken = 0  # the workers' results taken in so far, from the front

            def take_in(*, waiting: bool) -> None:
                nonlocal taken
                while taken < len(futures) and (waiting or futures[taken].done()):
                    job, future = poolable[taken], futures[taken]
                    taken += 1
                    if future.cancelled():
                        continue
                    data = future.result()
                    entry = factcache.loads(data) if data is not None else None
                    if entry is None:
                        left.append(job)
                        continue
                    cache.put_pickled(job.key, data)  # type: ignore[arg-type]
                    entries[job.source_file.path] = with_source(entry, decode_source(job.data))

            for job, future in zip(reversed(poolable), reversed(futures), strict=True):
                if not future.cancel():
                    break  # the workers have come this far
                _read_here(job, aliases, cache, entries)
                take_in(waiting=False)  # what the workers sent meanwhile, so that little is left at the end
            take_in(waiting=True)
    except (BrokenProcessPool, OSError):
        # A worker died (or none could start): this process reads what is not read yet itself.
        return [job for job in poolable if job.source_file.path not in entries]
    finally:
        _settle(collecting)
    return left
