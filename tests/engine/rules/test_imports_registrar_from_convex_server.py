"""imports/registrar-from-convex-server: registrars imported from the package instead of _generated/server."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "imports/registrar-from-convex-server"

FLAGGED = [
    flagged("query and internalMutation from convex/server, one renamed locally", {
        "convex/tasks.ts": """
            import { query } from "convex/server";
            import { internalMutation as im, defineTable } from "convex/server";

            export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("tasks").collect() });
            export const clear = im({ args: {}, handler: async () => null });
        """,
    }, ("convex/tasks.ts", "import { query }"), ("convex/tasks.ts", "internalMutation as im")),
    flagged("httpAction next to httpRouter", {
        "convex/http.ts": """
            import { httpRouter, httpAction } from "convex/server";

            const http = httpRouter();
            http.route({ path: "/health", method: "GET", handler: httpAction(async () => new Response("ok")) });
            export default http;
        """,
    }, ("convex/http.ts", "import { httpRouter")),
]

CLEAN = [
    clean("registrars from _generated/server, generic ones and types from the package", {
        "convex/lib/builders.ts": """
            import { queryGeneric as query, internalMutationGeneric } from "convex/server";
            import type { GenericQueryCtx } from "convex/server";
            import { type DataModelFromSchemaDefinition, defineSchema } from "convex/server";

            export const appQuery = query;
            export const appInternal = internalMutationGeneric;
        """,
        "convex/tasks.ts": """
            import { query, internalQuery } from "./_generated/server";

            export const list = query({ args: {}, handler: async (ctx) => ctx.db.query("tasks").collect() });
            export const count = internalQuery({ args: {}, handler: async () => 0 });
        """,
    }),
    clean("a hand-written builders module re-exporting the generic registrars under the usual names", {
        "convex/lib/server.ts": """
            export { queryGeneric as query, mutationGeneric as mutation } from "convex/server";
            export { internalQueryGeneric as internalQuery } from "convex/server";
        """,
        "convex/tasks.ts": """
            import { query, internalQuery } from "./lib/server";

            export const list = query({ args: {}, handler: async () => [] });
            export const count = internalQuery({ args: {}, handler: async () => 0 });
        """,
    }),
    clean("a project file that a tsconfig alias can send convex/server to", {
        "tsconfig.json": '{ "compilerOptions": { "baseUrl": "." } }',
        "convex/server.ts": """
            export { query, mutation } from "./_generated/server";
        """,
        "convex/tasks.ts": """
            import { query } from "convex/server";

            export const list = query({ args: {}, handler: async () => [] });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_registrars_imported_from_the_package(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_generated_and_generic_registrars(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
