"""The command line: exit codes, --list-rules, text output, and an import free of Django and Celery."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from auditor.engine.rules import all_rules
from tests.engine.helpers import write_config_keeping, write_project

REPO_ROOT = Path(__file__).resolve().parents[2]
# The rules these projects exercise; every other rule is disabled by a convex-audit.toml, so that
# rules added later show up as suppressed findings and never change an exit code or a count here.
RULES = ("validators/missing-args", "perf/unbounded-collect")


def write_app(root: Path, files: dict[str, str]) -> Path:
    write_project(root, files)
    write_config_keeping(root, *RULES)
    return root

CLEAN = {
    "convex/messages.ts": """
        import { query } from "./_generated/server";
        import { v } from "convex/values";

        export const list = query({
          args: { channel: v.string() },
          handler: async (ctx, { channel }) =>
            await ctx.db.query("messages").withIndex("by_channel", (q) => q.eq("channel", channel)).take(50),
        });
    """,
}

WARNING_AND_INFO = {
    "convex/messages.ts": """
        import { query } from "./_generated/server";

        export const list = query({
          handler: async (ctx) => await ctx.db.query("messages").collect(),
        });
    """,
    "convex/lib/tasks.ts": """
        import { internalMutation } from "../_generated/server";

        export const purge = internalMutation({
          args: {},
          handler: async (ctx) => {
            const all = await ctx.db.query("tasks").collect();
            for (const task of all) await ctx.db.delete(task._id);
          },
        });
    """,
}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run([sys.executable, "-m", "auditor.engine", *args], capture_output=True, text=True,
                          cwd=REPO_ROOT, env=env, check=False)


def test_it_exits_0_on_a_clean_project(tmp_path):
    write_app(tmp_path, CLEAN)
    for fail_on in ("error", "warning", "info"):
        result = run_cli(str(tmp_path), "--fail-on", fail_on)
        assert result.returncode == 0, (fail_on, result.stdout, result.stderr)


def test_it_exits_1_when_an_unsuppressed_finding_reaches_fail_on(tmp_path):
    write_app(tmp_path, WARNING_AND_INFO)  # one warning (missing args), two infos (collect)
    assert run_cli(str(tmp_path)).returncode == 0  # --fail-on error by default
    assert run_cli(str(tmp_path), "--fail-on", "error").returncode == 0
    assert run_cli(str(tmp_path), "--fail-on", "warning").returncode == 1
    assert run_cli(str(tmp_path), "--fail-on", "info").returncode == 1
    assert run_cli(str(tmp_path), "--fail-on", "never").returncode == 0


def test_it_exits_0_when_the_finding_is_suppressed(tmp_path):
    files = dict(WARNING_AND_INFO)
    files["convex/messages.ts"] = files["convex/messages.ts"].replace(
        "        export const list", "        // convex-audit-ignore-next-line validators/missing-args -- ok\n"
                                    "        export const list")
    write_app(tmp_path, files)
    assert run_cli(str(tmp_path), "--fail-on", "warning").returncode == 0
    assert run_cli(str(tmp_path), "--fail-on", "info").returncode == 1


def test_it_exits_2_with_one_line_when_there_is_no_convex_folder(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.ts").write_text("export const x = 1;\n", encoding="utf-8")
    result = run_cli(str(tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Convex folder" in lines[0]


def test_it_exits_2_on_a_path_that_does_not_exist_or_a_bad_option(tmp_path):
    missing = run_cli(str(tmp_path / "nope"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    bad = run_cli(str(tmp_path), "--fail-on", "sometimes")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_it_lists_the_rules_as_json():
    result = run_cli("--list-rules")
    assert result.returncode == 0
    rules = json.loads(result.stdout)
    assert [set(rule) for rule in rules] == [{"id", "severity", "category", "title"}] * len(rules)
    assert [(r["id"], r["severity"], r["title"]) for r in rules] == [
        (rule.id, rule.severity, rule.title) for rule in all_rules()]
    assert all(r["category"] == r["id"].split("/")[0] for r in rules)


def test_it_groups_text_output_by_file_and_ends_with_a_summary(tmp_path):
    write_app(tmp_path, WARNING_AND_INFO)
    result = run_cli(str(tmp_path), "--format", "text")
    assert result.returncode == 0
    assert "\033[" not in result.stdout  # no colour when not on a terminal
    lines = result.stdout.rstrip("\n").splitlines()
    headers = [line for line in lines if line and not line.startswith(" ")]
    assert headers[:-1] == ["convex/lib/tasks.ts", "convex/messages.ts"]
    tasks = lines[lines.index("convex/lib/tasks.ts") + 1:lines.index("convex/messages.ts")]
    assert [line.split()[0] for line in tasks if line] == ["6:45"]  # 1-based column of `collect`
    assert "perf/unbounded-collect" in tasks[0]
    assert re.fullmatch(r"3 findings \(0 errors, 1 warnings, 2 info\), [0-9]+ suppressed; 2 files parsed, "
                        r"0 parse errors, 0 skipped in [0-9.]+s; health score [0-9]+/100", lines[-1])


def test_it_writes_the_report_to_a_file_with_output(tmp_path):
    write_app(tmp_path / "app", CLEAN)
    target = tmp_path / "report.json"
    result = run_cli(str(tmp_path / "app"), "--format", "json", "--output", str(target))
    assert result.returncode == 0 and result.stdout == ""
    assert [f for f in json.loads(target.read_text(encoding="utf-8"))["findings"] if not f["suppressed"]] == []


def test_it_imports_without_django_or_celery():
    code = (
        "import sys, auditor.engine, auditor.engine.cli, auditor.engine.report\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'celery', 'projects', 'teams'})\n"
        "print(loaded)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, env=env,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_it_exits_1_when_the_health_score_is_below_fail_below(tmp_path):
    write_app(tmp_path, WARNING_AND_INFO)
    report = json.loads(run_cli(str(tmp_path), "--format", "json", "--fail-on", "never").stdout)
    total = report["score"]["total"]
    assert 0 < total < 100
    assert run_cli(str(tmp_path), "--fail-on", "never", "--fail-below", str(total)).returncode == 0
    assert run_cli(str(tmp_path), "--fail-on", "never", "--fail-below", str(total + 1)).returncode == 1


def test_it_declares_the_convex_audit_console_script_and_a_build_system():
    import importlib
    import tomllib

    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["build-system"]["build-backend"] == "setuptools.build_meta"
    module_name, _, function = pyproject["project"]["scripts"]["convex-audit"].partition(":")
    entry = getattr(importlib.import_module(module_name), function)
    assert callable(entry)
    packages = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    assert "auditor.engine" in packages and "auditor.engine.*" in packages


def test_it_exits_through_the_console_entry_with_mains_code(monkeypatch, capsys):
    import pytest

    from auditor.engine import cli

    def stop(code: int) -> None:  # the real one ends this very process
        raise SystemExit(code)

    monkeypatch.setattr(sys, "argv", ["convex-audit"])
    monkeypatch.setattr(cli, "exit_without_teardown", stop)
    with pytest.raises(SystemExit) as stopped:
        cli.run()
    assert stopped.value.code == 2
    assert "PATH is required" in capsys.readouterr().err


def test_it_writes_all_of_a_large_report_before_it_exits(tmp_path):
    files = {f"convex/m{index}.ts": WARNING_AND_INFO["convex/messages.ts"] for index in range(60)}
    write_app(tmp_path, files)
    result = run_cli(str(tmp_path), "--format", "json", "--no-cache", "--fail-on", "warning")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)  # whole: the process ends without tearing down, not before flushing
    assert len(report["findings"]) >= 60 and len(result.stdout) > 65536


def test_it_writes_json_in_utf8_whatever_the_output_encoding(tmp_path):
    write_app(tmp_path, {"convex/messages.ts": """
        import { query } from "./_generated/server";

        export const list = query({ // la liste des messages, déjà triée
          handler: async (ctx) => await ctx.db.query("messages").collect(),
        });
    """})
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {"PYTHONIOENCODING": "ascii"}
    result = subprocess.run([sys.executable, "-m", "auditor.engine", str(tmp_path), "--format", "json"],
                            capture_output=True, cwd=REPO_ROOT, env=env, check=False)
    assert result.returncode == 0, result.stderr
    snippets = [finding["snippet"] for finding in json.loads(result.stdout.decode("utf-8"))["findings"]]
    assert any("déjà" in snippet for snippet in snippets)
    written = tmp_path / "report.json"
    again = run_cli(str(tmp_path), "--format", "json", "--output", str(written))
    assert again.returncode == 0
    assert json.loads(written.read_bytes())["findings"] == json.loads(result.stdout)["findings"]


def test_it_writes_a_json_report_to_a_text_only_stream(tmp_path, monkeypatch):
    import io

    from auditor.engine import cli

    write_app(tmp_path, CLEAN)
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stream)
    assert cli.main([str(tmp_path), "--format", "sarif", "--no-cache"]) == 0
    assert json.loads(stream.getvalue())["version"] == "2.1.0"
