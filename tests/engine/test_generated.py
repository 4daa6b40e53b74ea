"""What codegen writes under _generated/, and what a hand edit or stale file looks like."""

from __future__ import annotations

from auditor.engine.generated import check_generated_file, has_header

HEADER = """/* eslint-disable */
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
import {
  actionGeneric,
  httpActionGeneric,
  queryGeneric,
  mutationGeneric,
  internalActionGeneric,
  internalMutationGeneric,
  internalQueryGeneric,
} from "convex/server";

/**
 * Define a query in this Convex app's public API.
 */
export const query = queryGeneric;
export const internalQuery = internalQueryGeneric;
export const mutation = mutationGeneric;
export const internalMutation = internalMutationGeneric;
export const action = actionGeneric;
export const internalAction = internalActionGeneric;
export const httpAction = httpActionGeneric;
"""

API_JS = HEADER + """
import { anyApi, componentsGeneric } from "convex/server";

export const api = anyApi;
export const internal = anyApi;
export const components = componentsGeneric();
"""

API_D_TS = HEADER + """
import type * as messages from "../messages.js";
import type * as lib_users from "../lib/users.js";

import type { ApiFromModules, FilterApi, FunctionReference } from "convex/server";

declare const fullApi: ApiFromModules<{ messages: typeof messages; "lib/users": typeof lib_users }>;
"""

FILES = {"convex/messages.ts", "convex/lib/users.ts", "convex/schema.ts"}


def test_it_accepts_what_codegen_writes() -> None:
    for name, text in (("server.js", SERVER_JS), ("api.js", API_JS), ("api.d.ts", API_D_TS)):
        assert check_generated_file(f"convex/_generated/{name}", text, "convex", FILES) == []


def test_it_accepts_codegen_output_reformatted_by_prettier() -> None:
    text = SERVER_JS.replace("export const query = queryGeneric;", "export const query =\n  queryGeneric")
    assert check_generated_file("convex/_generated/server.js", text, "convex", FILES) == []


def test_it_accepts_the_prettier_ignore_wrapper_of_older_codegen() -> None:
    for name, text in (("server.js", SERVER_JS), ("api.js", API_JS), ("api.d.ts", API_D_TS)):
        wrapped = "/* prettier-ignore-start */\n\n" + text + "\n/* prettier-ignore-end */\n"
        assert check_generated_file(f"convex/_generated/{name}", wrapped, "convex", FILES) == []
    assert not has_header("/* prettier-ignore-start */\nexport const api = anyApi;\n")


def test_it_flags_a_hand_written_stub_without_the_header() -> None:
    stub = ('/* eslint-disable */\n/**\n * Generated server functions (stub for development)\n */\n\n'
            'export { query, mutation, action } from "convex/server";\n')
    assert not has_header(stub)
    issues = check_generated_file("convex/_generated/server.js", stub, "convex", FILES)
    assert [(i.line, i.message.split(" ")[0]) for i in issues] == [(1, "has"), (6, "contains")]


def test_it_flags_hand_edits_in_server_and_api_js() -> None:
    edited = SERVER_JS + "\nexport const adminQuery = (fn) => queryGeneric(fn);\n"
    issues = check_generated_file("convex/_generated/server.js", edited, "convex", FILES)
    assert len(issues) == 1 and "adminQuery" in issues[0].message
    assert issues[0].line == SERVER_JS.count("\n") + 2
    swapped = API_JS.replace("export const internal = anyApi;", "export const internal = api;")
    assert len(check_generated_file("convex/_generated/api.js", swapped, "convex", FILES)) == 1


def test_it_flags_a_module_reference_to_a_file_that_no_longer_exists() -> None:
    stale = API_D_TS.replace('import type * as messages from "../messages.js";',
                             'import type * as messages from "../messages.js";\n'
                             'import type * as old from "../old.js";')
    issues = check_generated_file("convex/_generated/api.d.ts", stale, "convex", FILES)
    assert [(i.line, "`old`" in i.message) for i in issues] == [(12, True)]


def test_it_accepts_the_component_and_commonjs_shapes_of_codegen() -> None:
    server = SERVER_JS.replace('} from "convex/server";', '  appGeneric,\n} from "convex/server";') + (
        "\nexport const app = appGeneric();\n")
    assert check_generated_file("convex/_generated/server.js", server, "convex", FILES) == []
    child = SERVER_JS + ("\nexport const component = componentGeneric();\n"
                         "export const componentArgs = createComponentArgs();\n")
    assert check_generated_file("convex/_generated/server.js", child, "convex", FILES) == []
    cjs = HEADER + """
const { anyApi } = require("convex/server");
module.exports = {
  api: anyApi,
  internal: anyApi,
};
"""
    assert check_generated_file("convex/_generated/api.js", cjs, "convex", FILES) == []
    hacked = cjs.replace("internal: anyApi,", "internal: anyApi,\n  admin: require('../admin'),")
    assert len(check_generated_file("convex/_generated/api.js", hacked, "convex", FILES)) == 1
