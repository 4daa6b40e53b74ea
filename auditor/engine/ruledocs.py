"""The rule reference, ``docs/rules.md``, generated from the rule registry.

``python -m auditor.engine.ruledocs docs/rules.md`` (``make docs``) writes it; the test suite
checks that the file matches what the registry gives today, so a rule added, retitled or
redocumented without regenerating fails ``make test`` with the command to run.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from auditor.engine.rules import all_rules, rule_docs

REGENERATE = "make docs"
HEADER = f"""# Rule reference

Generated from the rule registry (`auditor/engine/rules/`) by `{REGENERATE}`; do not edit by hand.
Each rule is one module whose docstring gives what it flags, why it matters, an example and the
fix. Ids are stable: reports, suppressions, history and SARIF key on them.
"""


def _anchor(rule_id: str) -> str:
    return rule_id.replace("/", "")  # GitHub drops the slash of "## a/b"


def render() -> str:
    """The whole reference as Markdown: an index table, then one section per rule in registry order."""
    docs = rule_docs()
    rules = all_rules()
    lines = [HEADER, f"{len(rules)} rules.", "", "| id | severity | title |", "|---|---|---|"]
    for rule in rules:
        lines.append(f"| [`{rule.id}`](#{_anchor(rule.id)}) | {rule.severity} | {_cell(rule.title)} |")
    for rule in rules:
        doc = docs[rule.id]
        lines += ["", f"## {rule.id}", "", f"**{rule.severity}** · {rule.category} · {rule.title}"]
        for heading, body in (("What it flags", doc.what), ("Why it matters", doc.why), ("Fix", doc.fix)):
            lines += ["", f"### {heading}", "", body]
            if heading == "Why it matters" and doc.example:
                lines += ["", "### Example", "", "```ts", doc.example, "```"]
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m auditor.engine.ruledocs OUTPUT.md", file=sys.stderr)
        return 2
    target = Path(args[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target} ({len(all_rules())} rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
