"""arch/large-handler: handlers longer than 80 lines."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "arch/large-handler"


def _handler(kind: str, name: str, lines: int) -> str:
    body = "\n".join(f"    const step{i} = args.total + {i};" for i in range(lines - 2))
    return (
        f"export const {name} = {kind}({{\n"
        "  args: { total: v.number() },\n"
        "  handler: async (ctx, args) => {\n"
        f"{body}\n"
        "  },\n"
        "});\n"
    )


HEADER = 'import { mutation, internalAction } from "./_generated/server";\nimport { v } from "convex/values";\n\n'

FLAGGED = [
    flagged("an 81-line mutation handler and a long internal action", {
        "convex/orders.ts": HEADER + _handler("mutation", "checkout", 81) + _handler("internalAction", "sync", 120),
    }, ("convex/orders.ts", "export const checkout"), ("convex/orders.ts", "export const sync")),
]

CLEAN = [
    clean("an 80-line handler and a long helper", {
        "convex/orders.ts": HEADER + _handler("mutation", "checkout", 80) + "export function helper() {\n"
        + "\n".join(f"  console.log({i});" for i in range(100)) + "\n}\n",
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_handlers_over_80_lines(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_handlers_of_80_lines_and_long_helpers(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
