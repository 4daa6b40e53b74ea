"""Hostile sources never crash an audit: generated code, mangled real-looking files, odd bytes.

Every case is audited as a one-file Convex project and must end in a report; a file the engine
cannot read must come back as an `engine/parse-error` finding. The per-file bound is a hang
detector, not a speed target (speed lives in bench/); the slowest file goes in the figures.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.engine import ParseCache, audit_path
from auditor.engine.audit import INTERNAL_ERROR
from auditor.engine.parsing import parse_source
from tests.hardening.figures import record

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
PER_FILE_BOUND_S = 20.0
GENERATED_CASES = 3_000
MUTATION_CASES_PER_FILE = 45
SEED = 20261126

FRAGMENTS = [
    'import { query, mutation, action, httpAction } from "./_generated/server";',
    'import { v } from "convex/values";', 'import type { Id } from "./_generated/dataModel";',
    'export const f = query({', 'export const g = mutation(', 'args: {', 'handler: async (ctx, args) => {',
    "handler: async ({ db }, { id }: { id: Id<'t'> }) =>", 'await ctx.db.query("t")',
    '.withIndex("by_x", q => q.eq("x", 1))', '.filter((q) => q.eq(q.field("f"), args.f))', '.collect()',
    '.take(10)', 'ctx.db.insert("t", { a: 1 })', 'await ctx.runAction(api.a.b, {})',
    'ctx.scheduler.runAfter(0, internal.x.y, {})', 'new Response(null, { status: 200 })',
    'Response.json({ error: e.message }, { status: 500, headers: CORS })',
    "const CORS = { ...BASE, Vary: 'Origin' };", "http.route({ path: '/p', method: 'POST', handler: h });",
    "defineTable({ a: v.id('t') }).index('by_a', ['a'])", '`${process.env.NEXT_PUBLIC_CONVEX_URL}/x`',
    "'sk_live_' + key", 'x as unknown as T', 'y!', 'z satisfies U', 'interface I { a?: string }',
    'type T<A> = A extends B ? C : D;', 'enum E { A, B = 2 }', "declare module 'm' {}",
    'class K<T> implements J { private readonly a: T; constructor(public b: string) {} }', 'a?.b ?? c',
    '<T,>(x: T) => x', 'try {', '} catch (error) {', '}', '})', '});', '(', ')', '{', '[', ']', ',', ';', '=>', '?',
    ':', '`', "'", '"', '/*', '*/', '//', '\n', '\r\n', '\t', 'é', '😀', '\x00', '@decorator', '#private', 'yield',
    'await',
]


class EngineCrash(Exception):
    """The engine caught an exception of its own: an audit survived, but the code has a bug."""


def audit_one(text: str | bytes, suffix: str = ".ts") -> tuple[float, list[str]]:
    """Audit a one-file project; return the seconds it took and the rules it reported."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        (folder / "convex").mkdir()
        target = folder / "convex" / f"case{suffix}"
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8", errors="surrogatepass")
        started = time.perf_counter()
        report = audit_path(folder, cache=ParseCache())
        elapsed = time.perf_counter() - started
        assert report.stats["files"] == 1
        # The engine turns its own exceptions into findings and stats so an audit goes on;
        # here they still count as crashes.
        internal = [f.message for f in report.findings if INTERNAL_ERROR in f.message]
        if internal or report.stats["rule_errors"]:
            raise EngineCrash(f"{internal} {report.stats['rule_errors']}")
        return elapsed, [f.rule for f in report.findings]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class Tally:
    cases = 0
    crashes: list[str] = []
    slowest = 0.0

    @classmethod
    def run(cls, label: str, text: str | bytes, suffix: str = ".ts") -> list[str]:
        cls.cases += 1
        try:
            elapsed, rules = audit_one(text, suffix)
        except Exception as error:  # a crash is what this suite counts, whatever its type
            cls.crashes.append(f"{label}: {type(error).__name__}: {error}"[:300])
            return []
        cls.slowest = max(cls.slowest, elapsed)
        assert elapsed < PER_FILE_BOUND_S, f"{label} took {elapsed:.1f}s"
        return rules


@settings(max_examples=GENERATED_CASES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60),
       st.sampled_from([".ts", ".tsx", ".js", ".jsx", ".mjs"]))
def test_it_survives_generated_code(pieces: list[str], suffix: str) -> None:
    Tally.run("generated", " ".join(pieces), suffix)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in {".ts", ".tsx", ".js", ".jsx"} and p.is_file())


def mutations(source: bytes, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    for _ in range(MUTATION_CASES_PER_FILE):
        kind = rng.choice(["truncate", "insert", "delete", "swap", "flip", "duplicate"])
        data = bytearray(source)
        if not data:
            yield kind, b""
            continue
        at = rng.randrange(len(data))
        if kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == "delete":
            del data[at:at + rng.randint(1, 40)]
        elif kind == "swap":
            other = rng.randrange(len(data))
            data[at], data[other] = data[other], data[at]
        elif kind == "flip":
            data[at] ^= 1 << rng.randrange(8)
        else:
            data[at:at] = data[at:at + rng.randint(1, 200)]
        yield kind, bytes(data)


def test_it_survives_mutations_of_real_looking_convex_files() -> None:
    rng = random.Random(SEED)
    files = corpus_files()
    assert len(files) >= 30
    for path in files:
        for kind, data in mutations(path.read_bytes(), rng):
            Tally.run(f"{path.name}/{kind}", data, path.suffix)


def test_it_survives_pathological_shapes() -> None:
    sample = (CORPUS / "nextjs-notes" / "convex" / "notes.ts").read_bytes()
    cases: dict[str, bytes] = {
        "10k nested arrays": b"export const x = " + b"[" * 10_000 + b"]" * 10_000 + b";\n",
        "10k nested calls": b"export const x = " + b"f(" * 10_000 + b")" * 10_000 + b";\n",
        "10k nested objects": b"export const x = " + b"{a:" * 10_000 + b"1" + b"}" * 10_000 + b";\n",
        "10k nested blocks": b"function f() " + b"{" * 10_000 + b"}" * 10_000 + b"\n",
        "10k nested parens in a type": b"type T = " + b"(" * 10_000 + b"string" + b")" * 10_000 + b";\n",
        "2 MB one line": b"export const blob = '" + b"a" * (2 * 1024 * 1024) + b"';",
        "invalid utf-8": sample.replace(b"notes", b"\xff\xfenotes\xc3"),
        "nul bytes": sample.replace(b"\n", b"\x00\n"),
        "crlf": sample.replace(b"\n", b"\r\n"),
        "bom": b"\xef\xbb\xbf" + sample,
        "bom and crlf": b"\xef\xbb\xbf" + sample.replace(b"\n", b"\r\n"),
        "lone surrogate escape": b"export const s = '\\ud800';\n",
        "empty": b"",
        "only a comment": b"// nothing here\n",
    }
    for label, data in cases.items():
        Tally.run(label, data)
    # Bigger than the engine's 1 MB file limit, so the audit skips it; the parser must still cope.
    started = time.perf_counter()
    parsed = parse_source("convex/big.ts", "export const blob = '" + "a" * (2 * 1024 * 1024) + "';")
    Tally.slowest = max(Tally.slowest, time.perf_counter() - started)
    assert parsed.tree is not None or parsed.error is not None


def test_it_records_the_fuzz_figures() -> None:
    record("fuzz", {
        "cases": Tally.cases,
        "crashes": len(Tally.crashes),
        "slowest_file_s": round(Tally.slowest, 3),
        "crash_samples": Tally.crashes[:10],
    })
    assert Tally.cases >= 5_000
    assert Tally.crashes == []
