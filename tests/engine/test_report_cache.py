"""The report cache (reportcache.py): a second `convex-audit` run of an unchanged project."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.engine import cachedir, cli, inputs, reportcache
from auditor.engine.reportcache import DATABASE, KeptReport, ReportCache, Request
from tests.engine.test_cli import CLEAN, REPO_ROOT, WARNING_AND_INFO, write_app

COLLECT_IN_QUERY = """
    import { query } from "./_generated/server";
    import { v } from "convex/values";

    export const all = query({ args: {}, handler: async (ctx) => await ctx.db.query("notes").collect() });
"""


def _run(root: Path, cache: Path, *options: str) -> tuple[int, str]:
    target = cache.parent / "report.out"
    code = cli.main([str(root), "--cache-dir", str(cache), "--output", str(target), *options])
    return code, target.read_text(encoding="utf-8")


def _json(root: Path, cache: Path, *options: str) -> dict:
    return json.loads(_run(root, cache, "--format", "json", "--fail-on", "never", *options)[1])


def _without_this_run(report: dict) -> dict:
    stats = {key: value for key, value in report["stats"].items() if key not in {"seconds", "cache"}}
    return {**report, "stats": stats}


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return write_app(tmp_path / "app", WARNING_AND_INFO)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def test_it_writes_the_first_runs_report_on_a_second_run_of_an_unchanged_project(app: Path, cache: Path) -> None:
    first = _json(app, cache)
    second = _json(app, cache)
    assert first["stats"]["cache"]["report"] == "miss"
    assert first["stats"]["cache"]["misses"] > 0
    assert second["stats"]["cache"] == {**first["stats"]["cache"], "hits": 0, "misses": 0, "report": "hit"}
    assert _without_this_run(second) == _without_this_run(first)
    assert isinstance(second["stats"]["seconds"], float)


def test_it_audits_again_when_a_file_changes(app: Path, cache: Path) -> None:
    first = _json(app, cache)
    (app / "convex" / "notes.ts").write_text(COLLECT_IN_QUERY, encoding="utf-8")
    second = _json(app, cache)
    assert second["stats"]["cache"]["report"] == "miss"
    assert second["stats"]["cache"]["hits"] > 0  # the other files' facts came from the facts cache
    assert {f["path"] for f in second["findings"]} - {f["path"] for f in first["findings"]} == {"convex/notes.ts"}
    assert _json(app, cache)["stats"]["cache"]["report"] == "hit"


def test_it_audits_again_when_a_file_goes(app: Path, cache: Path) -> None:
    _json(app, cache)
    (app / "convex" / "lib" / "tasks.ts").unlink()
    second = _json(app, cache)
    assert second["stats"]["cache"]["report"] == "miss"
    assert "convex/lib/tasks.ts" not in {f["path"] for f in second["findings"]}


def _entries(cache: Path) -> int:
    with sqlite3.connect(cache / DATABASE) as database:
        return database.execute("SELECT count(*) FROM reports").fetchone()[0]


@pytest.mark.parametrize("options", [("--convex-dir", "convex/lib"), ("--format", "sarif"), ("--format", "text")])
def test_it_keeps_one_report_per_set_of_options(app: Path, cache: Path, options: tuple[str, ...]) -> None:
    _json(app, cache)
    _run(app, cache, *options)
    _run(app, cache, *options)
    assert _entries(cache) == 2
    assert _json(app, cache)["stats"]["cache"]["report"] == "hit"  # the JSON run's entry is still there


def test_it_keeps_one_report_per_project(app: Path, cache: Path, tmp_path: Path) -> None:
    other = write_app(tmp_path / "other", CLEAN)
    _json(app, cache)
    assert _json(other, cache)["stats"]["cache"]["report"] == "miss"
    (app / "convex" / "notes.ts").write_text(COLLECT_IN_QUERY, encoding="utf-8")
    _json(app, cache)
    assert _entries(cache) == 2


def test_it_audits_again_when_the_config_file_changes(app: Path, cache: Path) -> None:
    first = _json(app, cache)
    (app / "convex-audit.toml").write_text("", encoding="utf-8")  # every rule on again
    second = _json(app, cache)
    assert second["stats"]["cache"]["report"] == "miss"
    assert second["stats"]["suppressed"] < first["stats"]["suppressed"]


def test_it_audits_again_when_the_baseline_changes(app: Path, cache: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "before.json"
    baseline.write_text(json.dumps(_json(app, cache)), encoding="utf-8")
    assert _json(app, cache, "--baseline", str(baseline))["stats"]["cache"]["report"] == "miss"
    assert _json(app, cache, "--baseline", str(baseline))["stats"]["cache"]["report"] == "hit"
    baseline.write_text(baseline.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _json(app, cache, "--baseline", str(baseline))["stats"]["cache"]["report"] == "miss"


def test_it_keeps_the_text_report_with_each_runs_own_seconds(app: Path, cache: Path) -> None:
    first = _run(app, cache, "--format", "text", "--fail-on", "never")[1]
    second = _run(app, cache, "--format", "text", "--fail-on", "never")[1]
    assert reportcache.SECONDS_MARK not in first + second
    assert first.rsplit(" in ", 1)[0] == second.rsplit(" in ", 1)[0]
    assert second.rstrip().endswith("/100") and " skipped in " in second


def test_it_keeps_sarif_as_it_was_written(app: Path, cache: Path) -> None:
    first = _run(app, cache, "--format", "sarif", "--fail-on", "never")
    assert _run(app, cache, "--format", "sarif", "--fail-on", "never") == first
    assert json.loads(first[1])["version"] == "2.1.0"


@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never"])
def test_it_exits_as_the_audit_did_from_a_stored_report(app: Path, cache: Path, fail_on: str) -> None:
    fresh = cli.main([str(app), "--no-cache", "--output", os.devnull, "--fail-on", fail_on])
    _run(app, cache, "--fail-on", "never")
    assert _run(app, cache, "--fail-on", fail_on)[0] == fresh
    assert fresh == (0 if fail_on in {"error", "never"} else 1)  # the project has a warning and two infos


def test_it_exits_1_below_fail_below_from_a_stored_report(app: Path, cache: Path) -> None:
    total = _json(app, cache)["score"]["total"]
    assert _run(app, cache, "--fail-on", "never", "--fail-below", str(total))[0] == 0
    assert _run(app, cache, "--fail-on", "never", "--fail-below", str(total + 1))[0] == 1


def test_it_keeps_nothing_with_no_cache(app: Path, tmp_path: Path) -> None:
    code = cli.main([str(app), "--no-cache", "--format", "json", "--output", str(tmp_path / "r.json")])
    assert code == 0
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["stats"]["cache"]["report"] == "off"
    assert not list(tmp_path.rglob(DATABASE))


def test_it_audits_again_when_the_engine_changes(app: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _json(app, cache)
    monkeypatch.setattr(reportcache, "engine_digest", lambda: "another engine")
    assert _json(app, cache)["stats"]["cache"]["report"] == "miss"
    assert _json(app, cache)["stats"]["cache"]["report"] == "hit"


def test_it_makes_a_damaged_database_anew(app: Path, cache: Path) -> None:
    first = _json(app, cache)
    (cache / DATABASE).write_bytes(b"not a database, " * 100)
    second = _json(app, cache)
    assert second["stats"]["cache"]["report"] == "miss"
    assert _without_this_run(second) == _without_this_run(first)
    assert _json(app, cache)["stats"]["cache"]["report"] == "hit"


@pytest.mark.parametrize("column", ["journal", "summary"])
def test_it_audits_again_over_a_damaged_entry(app: Path, cache: Path, column: str) -> None:
    _json(app, cache)
    with sqlite3.connect(cache / DATABASE) as database:
        database.execute(f"UPDATE reports SET {column} = ?", (b"\x00garbage",))
    assert _json(app, cache)["stats"]["cache"]["report"] == "miss"
    assert _json(app, cache)["stats"]["cache"]["report"] == "hit"


def test_it_audits_when_the_cache_folder_cannot_be_written(app: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    fresh = _json(app, tmp_path / "fresh")
    report = _json(app, blocked)
    assert report["stats"]["cache"]["report"] == "miss"
    assert _without_this_run(report) == _without_this_run(fresh)
    assert blocked.read_text(encoding="utf-8").startswith("a file")


def test_it_keeps_no_report_when_the_tree_changed_during_the_audit(tmp_path: Path) -> None:
    unsettled = inputs.Journal()
    unsettled.note(("file", "/x"), "one")
    unsettled.note(("file", "/x"), "two")
    reports = ReportCache(tmp_path)
    request = Request.of(str(tmp_path), format="json", color=False, convex_dir=None, config=None, baseline=None,
                         output=None)
    kept = KeptReport("json", b'{"stats": {"cache": {}}}', {"error": 0, "warning": 0, "info": 0, "never": 0}, 100)
    assert not reports.keep(request, unsettled, kept)
    assert reports.keep(request, inputs.Journal(), kept)
    assert reports.find(request) == kept


def test_it_loads_no_more_of_the_engine_when_it_finds_the_report(app: Path, cache: Path) -> None:
    code = ("import sys\nfrom auditor.engine import cli\n"
            f"cli.main([{str(app)!r}, '--cache-dir', {str(cache)!r}, '--output', {os.devnull!r}])\n"
            "print(sorted(m for m in sys.modules if m.startswith('auditor.engine.')))\n")
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}

    def modules() -> list[str]:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT,
                                env=environment, check=True)
        return json.loads(result.stdout.replace("'", '"'))

    audited, found = modules(), modules()
    assert "auditor.engine.model" in audited and "auditor.engine.rules" in audited
    assert "auditor.engine.model" not in found and "auditor.engine.rules" not in found
    assert set(found) < set(audited)


def test_it_audits_a_clean_project_once_and_then_reads_it(tmp_path: Path, cache: Path) -> None:
    root = write_app(tmp_path / "clean", CLEAN)
    assert _json(root, cache)["stats"]["cache"]["report"] == "miss"
    assert _json(root, cache)["stats"]["cache"]["report"] == "hit"


def test_it_keeps_the_newest_reports_alone(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reportcache, "MAX_REPORTS", 2)
    apps = [write_app(tmp_path / f"app-{index}", CLEAN) for index in range(3)]
    for app in apps:
        _json(app, cache)
    assert _entries(cache) == 2
    assert [_json(app, cache)["stats"]["cache"]["report"] for app in reversed(apps)] == ["hit", "hit", "miss"]


def test_it_stamps_the_parsers_installed_without_importing_them(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site" / "someparser"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise ImportError('never imported')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.setattr(cachedir, "SHAPING_PACKAGES", ("someparser", "nosuchparser"))
    before = cachedir.packages_stamp()
    assert "nosuchparser:absent" in before
    os.utime(package / "__init__.py", ns=(1, 1))  # another version installed
    assert cachedir.packages_stamp() != before


def test_it_counts_another_parser_as_another_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    digests = []
    for stamp in ("esprima:one", "esprima:two"):
        monkeypatch.setattr(reportcache, "packages_stamp", lambda stamp=stamp: stamp)
        reportcache.engine_digest.cache_clear()
        digests.append(reportcache.engine_digest())
    reportcache.engine_digest.cache_clear()
    assert digests[0] != digests[1]


STORED_FILE_URL = "https://brave-heron-42.convex.cloud/api/storage/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
PASTED_URL = {"convex/files.ts": f'export const logo = "{STORED_FILE_URL}";\n'}


def test_it_never_audits_its_own_report_inside_the_project(tmp_path: Path, cache: Path) -> None:
    root = write_app(tmp_path / "app", {**WARNING_AND_INFO, **PASTED_URL})
    target = root / "audit.json"
    served = []
    for _ in range(3):
        assert cli.main([str(root), "--cache-dir", str(cache), "--format", "json", "-o", str(target)]) == 0
        report = json.loads(target.read_text(encoding="utf-8"))
        assert STORED_FILE_URL in target.read_text(encoding="utf-8")  # the snippet of the finding in files.ts
        assert "audit.json" not in {finding["path"] for finding in report["findings"]}
        served.append(report["stats"]["cache"]["report"])
    # The report's first appearance changes the root's listing; from then on the tree is unchanged.
    assert served == ["miss", "miss", "hit"]


def test_it_leaves_out_what_the_caller_names(tmp_path: Path) -> None:
    from auditor.engine import audit_path
    from auditor.engine.factcache import ParseCache

    root = write_app(tmp_path / "app", {**CLEAN, "data/pasted.json": f'["{STORED_FILE_URL}"]'})
    audited = audit_path(root, cache=ParseCache(max_bytes=0))
    left_out = audit_path(root, cache=ParseCache(max_bytes=0), leave_out=[root / "data" / "pasted.json",
                                                                         tmp_path / "elsewhere.json"])
    assert [data.path for data in audited.project.data_files] == ["data/pasted.json"]
    assert left_out.project.data_files == []
