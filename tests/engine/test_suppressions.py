"""Suppressions: ignore comments in source and convex-audit.toml (disable, severity, ignore globs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from auditor.engine import EngineUsageError
from auditor.engine.audit import ParseCache, audit_path
from tests.engine.helpers import write_project

REPO_ROOT = Path(__file__).resolve().parents[2]
# The rules these projects exercise; findings of other rules (added later) are left out of the checks.
RULES = {"correctness/floating-promise", "validators/missing-args", "functions/old-syntax"}

MESSAGES = """
    import { mutation } from "./_generated/server";

    export const send = mutation({
      handler: async (ctx, args: { body: string }) => {
        // convex-audit-ignore-next-line correctness/floating-promise -- fire and forget on purpose
        ctx.db.insert("messages", { body: args.body });
        ctx.db.insert("audit", { body: args.body });
      },
    });

    // convex-audit-ignore-next-line correctness/floating-promise -- the wrong rule for this line
    export const other = mutation({
      handler: async (ctx) => {
        await ctx.db.insert("audit", { body: "x" });
      },
    });
"""


def _audit(root: Path, files: dict[str, str], config: Path | None = None):
    write_project(root, files)
    return audit_path(root, config_file=config, cache=ParseCache())


def _spots(report, *, suppressed: bool) -> list[tuple[str, int]]:
    return sorted((f.rule, f.loc.line) for f in report.findings if f.suppressed is suppressed and f.rule in RULES)


def test_it_suppresses_only_the_next_line_and_only_the_named_rule(tmp_path):
    report = _audit(tmp_path, {"convex/messages.ts": MESSAGES})
    assert _spots(report, suppressed=True) == [("correctness/floating-promise", 6)]
    assert _spots(report, suppressed=False) == [
        ("correctness/floating-promise", 7),
        ("validators/missing-args", 3),
        ("validators/missing-args", 12),
    ]


def test_it_keeps_suppressed_findings_in_the_report_and_counts_them(tmp_path):
    report = _audit(tmp_path, {"convex/messages.ts": MESSAGES})
    data = report.to_dict()
    suppressed = [f for f in data["findings"] if f["suppressed"]]
    assert len(suppressed) == 1 == data["stats"]["suppressed"]
    assert suppressed[0]["suppression"] == "comment: fire and forget on purpose"
    assert suppressed[0] not in [f for f in data["findings"] if not f["suppressed"]]
    assert len(report.active_findings) == len(report.findings) - 1


def test_it_accepts_several_rules_and_a_wildcard_in_one_comment(tmp_path):
    report = _audit(tmp_path, {"convex/a.ts": """
        import { mutation } from "./_generated/server";

        // convex-audit-ignore-next-line validators/missing-args, functions/old-syntax -- legacy
        export const a = mutation(async (ctx) => ctx.db.query("a").first());
        // convex-audit-ignore-next-line *
        export const b = mutation({ handler: async (ctx) => ctx.db.query("b").first() });
    """})
    assert _spots(report, suppressed=False) == []
    assert _spots(report, suppressed=True) == [("functions/old-syntax", 4), ("validators/missing-args", 6)]


def test_it_reads_convex_audit_toml_at_the_root(tmp_path):
    (tmp_path / "convex-audit.toml").write_text(
        'disable = ["validators/missing-args"]\n'
        'ignore = ["convex/legacy/**"]\n'
        "[severity]\n"
        '"correctness/floating-promise" = "error"\n',
        encoding="utf-8",
    )
    report = _audit(tmp_path, {
        "convex/messages.ts": MESSAGES,
        "convex/legacy/old.ts": """
            import { query } from "../_generated/server";

            export const old = query(async (ctx) => await ctx.db.query("old").first());
        """,
    })
    by_rule = {(f.rule, f.loc.path, f.loc.line): f for f in report.findings}
    missing = by_rule[("validators/missing-args", "convex/messages.ts", 3)]
    assert missing.suppressed and "disabled" in (missing.suppression or "")
    legacy = by_rule[("functions/old-syntax", "convex/legacy/old.ts", 3)]
    assert legacy.suppressed and "convex/legacy/**" in (legacy.suppression or "")
    floating = by_rule[("correctness/floating-promise", "convex/messages.ts", 7)]
    assert (floating.severity, floating.suppressed) == ("error", False)
    # two missing-args, one legacy, one comment
    assert sum(1 for f in report.findings if f.suppressed and f.rule in RULES) == 4
    assert report.stats["config"] == str(tmp_path / "convex-audit.toml")
    assert report.exit_code("error") == 1


def test_it_reads_a_config_given_with_config(tmp_path):
    config = tmp_path / "elsewhere" / "audit.toml"
    config.parent.mkdir()
    config.write_text('disable = ["correctness/floating-promise"]\n', encoding="utf-8")
    project = tmp_path / "app"
    report = _audit(project, {"convex/messages.ts": MESSAGES}, config=config)
    floating = [f for f in report.findings if f.rule == "correctness/floating-promise"]
    assert floating and all(f.suppressed for f in floating)
    result = subprocess.run(
        [sys.executable, "-m", "auditor.engine", str(project), "--config", str(config), "--fail-on", "warning",
         "--format", "json"],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
    )
    assert result.returncode == 1  # validators/missing-args is still a warning
    assert '"correctness/floating-promise"' in result.stdout


@pytest.mark.parametrize(("text", "message"), [
    ('ignored = ["x"]\n', "unknown key"),
    ('disable = ["validators/no-such-rule"]\n', "unknown rule id"),
    ('[severity]\n"validators/missing-args" = "fatal"\n', "severity"),
    ('[severity]\n"validators/no-such-rule" = "info"\n', "unknown rule id"),
    ("disable = [unterminated\n", "audit.toml"),
    ('disable = "validators/missing-args"\n', "list of strings"),
])
def test_it_rejects_a_bad_config_with_a_one_line_message(tmp_path, text, message):
    config = tmp_path / "audit.toml"
    config.write_text(text, encoding="utf-8")
    project = tmp_path / "app"
    write_project(project, {"convex/messages.ts": MESSAGES})
    with pytest.raises(EngineUsageError, match=message):
        audit_path(project, config_file=config, cache=ParseCache())
    result = subprocess.run(
        [sys.executable, "-m", "auditor.engine", str(project), "--config", str(config)],
        capture_output=True, text=True, cwd=REPO_ROOT, check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_it_rejects_a_missing_config_file(tmp_path):
    write_project(tmp_path, {"convex/messages.ts": MESSAGES})
    with pytest.raises(EngineUsageError, match="not found"):
        audit_path(tmp_path, config_file=tmp_path / "nope.toml", cache=ParseCache())


def test_it_takes_a_config_given_as_text_instead_of_the_one_at_the_root(tmp_path):
    # The root's file would silence the floating promises; the text given in its place does not.
    (tmp_path / "convex-audit.toml").write_text('disable = ["correctness/floating-promise"]\n', encoding="utf-8")
    write_project(tmp_path, {"convex/messages.ts": MESSAGES})
    given = '[severity]\n"validators/missing-args" = "error"\n'
    report = audit_path(tmp_path, cache=ParseCache(), config_text=given, config_source="the base's convex-audit.toml")
    floating = [f for f in report.findings if f.rule == "correctness/floating-promise"]
    assert [f.loc.line for f in floating if not f.suppressed] == [7]
    assert {f.severity for f in report.findings if f.rule == "validators/missing-args"} == {"error"}
    assert report.stats["config"] == "the base's convex-audit.toml"

    # "" is no configuration at all: the root's file is still not read.
    report = audit_path(tmp_path, cache=ParseCache(), config_text="", config_source="the base's convex-audit.toml")
    assert [f.loc.line for f in report.findings if f.rule == "correctness/floating-promise" and not f.suppressed] == [7]
    with pytest.raises(EngineUsageError, match="unknown key"):
        audit_path(tmp_path, cache=ParseCache(), config_text='ignored = ["x"]\n')
