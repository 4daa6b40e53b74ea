"""imports/unknown-convex-server-export: names the convex package does not export."""

from __future__ import annotations

import json

import pytest

from tests.engine.helpers import check_case, clean, flagged, rule_findings

RULE_ID = "imports/unknown-convex-server-export"


def locked(version: str) -> dict[str, str]:
    """package.json and a lock file installing exactly ``version`` of convex."""
    return {
        "package.json": json.dumps({"name": "app", "dependencies": {"convex": f"^{version}"}}),
        "package-lock.json": json.dumps({"name": "app", "lockfileVersion": 3, "packages": {
            "": {"name": "app", "dependencies": {"convex": f"^{version}"}},
            "node_modules/convex": {"version": version},
        }}),
    }


FLAGGED = [
    flagged("an invented HttpResponse, Doc from the package and a made-up validator type", {
        **locked("1.17.4"),
        "convex/http.ts": """
            import { httpRouter, HttpResponse } from "convex/server";
            import { Doc } from "convex/server";
            import { v, MapValidator } from "convex/values";

            const http = httpRouter();
            export default http;
        """,
    }, ("convex/http.ts", "import { httpRouter, HttpResponse }"), ("convex/http.ts", "import { Doc }"),
        ("convex/http.ts", "MapValidator")),
]

CLEAN = [
    clean("a release newer than the known list, which may export names the list has not seen", {
        **locked("99.0.0"),
        "convex/http.ts": """
            import { httpRouter, brandNewHelper } from "convex/server";

            export default httpRouter();
        """,
    }),
    clean("no lock file: the version is only a lower bound", {
        "package.json": json.dumps({"dependencies": {"convex": "^1.17.0"}}),
        "convex/http.ts": """
            import { httpRouter, brandNewHelper } from "convex/server";

            export default httpRouter();
        """,
    }),
    clean("runtime and type exports of both modules, old names kept by the union of versions", {
        "convex/lib/types.ts": """
            import { GenericQueryCtx, paginationOptsValidator, defineSchema, cronJobs } from "convex/server";
            import { makeFunctionReference, anyApi, httpRouter as router } from "convex/server";
            import { v, ConvexError, Infer, GenericId, Validator } from "convex/values";
            import type { FunctionReference } from "convex/server";

            export const pagination = paginationOptsValidator;
        """,
    }),
    clean("registrars are left to imports/registrar-from-convex-server", {
        "convex/tasks.ts": """
            import { query } from "convex/server";

            export const list = query({ args: {}, handler: async () => [] });
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_names_the_package_does_not_export(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_names_the_package_exports(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


def _install_convex(root, server_names, values_names):
    """A minimal installed `convex` package with its own declarations, as node_modules holds one."""
    package = root / "node_modules" / "convex"
    (package / "dist" / "server").mkdir(parents=True)
    (package / "dist" / "values").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({
        "name": "convex", "version": "9.9.9",
        "exports": {
            "./server": {"import": {"types": "./dist/server/index.d.ts", "import": "./dist/server/index.js"}},
            "./values": {"import": {"types": "./dist/values/index.d.ts", "import": "./dist/values/index.js"}},
        },
    }))
    (package / "dist" / "server" / "index.d.ts").write_text(
        'export * from "./router.js";\nexport type { Helper } from "./types.js";\n')
    (package / "dist" / "server" / "router.d.ts").write_text(
        "".join(f"export declare function {name}(): void;\n" for name in server_names))
    (package / "dist" / "server" / "index.js").write_text('export { httpRouter } from "./router.js";\n')
    (package / "dist" / "values" / "index.d.ts").write_text(
        "".join(f"export declare const {name}: unknown;\n" for name in values_names))
    (package / "dist" / "values" / "index.js").write_text("export const v = {};\n")


def test_it_reads_the_installed_packages_declarations(tmp_path):
    # defineSchema exists in every released version, but not in this installed one.
    _install_convex(tmp_path, ["httpRouter"], ["v"])
    files = {"convex/schema.ts": """
        import { defineSchema, httpRouter, Helper } from "convex/server";
        import { v } from "convex/values";

        export default defineSchema({});
    """}
    assert rule_findings(tmp_path, files, RULE_ID) == [(RULE_ID, "convex/schema.ts", 1)]


def test_it_falls_back_to_the_known_list_when_the_install_is_unreadable(tmp_path):
    package = tmp_path / "node_modules" / "convex"
    package.mkdir(parents=True)
    (package / "package.json").write_text("{ not json")
    files = {**locked("1.20.0"), "convex/schema.ts": """
        import { defineSchema, HttpResponse } from "convex/server";

        export default defineSchema({});
    """}
    assert rule_findings(tmp_path, files, RULE_ID) == [(RULE_ID, "convex/schema.ts", 1)]
