"""runtime/misplaced-use-node: "use node" outside the directive prologue."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "runtime/misplaced-use-node"

FLAGGED = [
    flagged("after the imports, and inside a function", {
        "convex/payments.ts": """
            import { action } from "./_generated/server";
            import Stripe from "stripe";
            "use node";

            export const pay = action({
              args: {},
              handler: async () => {
                "use node";
                return new Stripe("key").customers.list();
              },
            });
        """,
    }, ("convex/payments.ts", '"use node";'), ("convex/payments.ts", '"use node";', 2)),
]

CLEAN = [
    clean("first line after comments, after another directive, and in prose", {
        "convex/payments.ts": """
            // Payments run in Node: the Stripe SDK needs it.
            /* eslint-disable */
            "use node";

            import { action } from "./_generated/server";

            export const pay = action({ args: {}, handler: async () => "Add 'use node' to files using Node." });
        """,
        "convex/email.ts": """
            "use strict";
            'use node';
            import { internalAction } from "./_generated/server";
            export const send = internalAction({ args: {}, handler: async () => null });
        """,
        "convex/payments.old.ts": """
            import { action } from "./_generated/server";
            "use node";
            export const old = action({ args: {}, handler: async () => null });
        """,
        "src/notes.ts": """
            import x from "y";
            "use node";
            export default x;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_use_node_after_other_statements(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_use_node_in_the_prologue(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
