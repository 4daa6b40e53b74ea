"""config/generated-code-edited: _generated/ files that codegen did not write."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "config/generated-code-edited"

HEADER = """
    /* eslint-disable */
    /**
     * Generated utilities for implementing server-side Convex query and mutation functions.
     *
     * THIS CODE IS AUTOMATICALLY GENERATED.
     *
     * To regenerate, run `npx convex dev`.
     * @module
     */
"""

SERVER_JS = HEADER + """
    import { queryGeneric, mutationGeneric, actionGeneric } from "convex/server";

    export const query = queryGeneric;
    export const mutation = mutationGeneric;
    export const action = actionGeneric;
"""

API_D_TS = HEADER + """
    import type * as messages from "../messages.js";

    import type { ApiFromModules, FilterApi, FunctionReference } from "convex/server";

    declare const fullApi: ApiFromModules<{ messages: typeof messages }>;
    export declare const api: FilterApi<typeof fullApi, FunctionReference<any, "public">>;
"""

MESSAGES = """
    import { query } from "./_generated/server";
    export const list = query({ args: {}, handler: async (ctx) => await ctx.db.query("messages").take(10) });
"""

FLAGGED = [
    flagged("a hand-written stub and a builder added to server.js", {
        "convex/messages.ts": MESSAGES,
        "convex/_generated/api.js": """
            /* eslint-disable */
            /**
             * Generated API (stub for development)
             */
            import { anyApi } from "convex/server";
            export const api = anyApi;
            export const internal = anyApi;
        """,
        "convex/_generated/server.js": SERVER_JS + """
            export const adminQuery = (fn) => queryGeneric(fn);
        """,
    }, ("convex/_generated/api.js", "/* eslint-disable */"),
        ("convex/_generated/server.js", "export const adminQuery")),
    flagged("api.d.ts listing a module that was deleted", {
        "convex/messages.ts": MESSAGES,
        "convex/_generated/api.d.ts": API_D_TS.replace(
            'import type * as messages from "../messages.js";',
            'import type * as messages from "../messages.js";\n    import type * as legacy from "../legacy.js";'),
    }, ("convex/_generated/api.d.ts", "../legacy.js")),
]

CLEAN = [
    clean("codegen output as written, and no _generated folder at all", {
        "convex/messages.ts": MESSAGES,
        "convex/_generated/server.js": SERVER_JS,
        "convex/_generated/api.d.ts": API_D_TS,
        "convex/_generated/dataModel.d.ts": HEADER + """
            import type { DataModelFromSchemaDefinition } from "convex/server";
            export type DataModel = any;
        """,
    }),
    clean("a component's own _generated folder is left to its codegen", {
        "convex/messages.ts": MESSAGES,
        "convex/components/counter/_generated/server.js": "export const query = 1;\n",
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_generated_files_codegen_did_not_write(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_codegen_output(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
