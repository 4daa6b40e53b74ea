"""Name that convex/server or convex/values does not export.

What it flags:
    A named import from `convex/server` or `convex/values` of a name the package does not
    export. The names come from the installed package's own type declarations and modules
    when `node_modules/convex` is present, else from the union of every released version's
    exports (so a name any version offers is never reported); that list is used only when a
    lock file gives the exact version and it is not newer than the list's newest release.
    Registrars (`query`, `mutation`, ...) are left to `imports/registrar-from-convex-server`.

Why it matters:
    TypeScript rejects the import and the bundler finds no such export, so the push or deploy
    fails; the usual cause is an invented API (`HttpResponse`, `v.map`'s `MapValidator`) or a
    name that lives elsewhere (`Doc` and `Id` in `_generated/dataModel`). It is one of the
    hard-deny checks of Convex's own lint hook for coding agents.

Example:
    import { httpRouter, HttpResponse } from "convex/server";

Fix:
    Import what the package has: `httpAction` from `./_generated/server` and a web-standard
    `Response`; `Doc`/`Id` from `./_generated/dataModel`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.convexexports import CHECKED_MODULES, ConvexExports, covers
from auditor.engine.derive import shadowed_convex_packages
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo
from auditor.engine.rules.imports_registrar_from_convex_server import REGISTRARS

RULE = RuleInfo("imports/unknown-convex-server-export", "error", "Name convex/server or convex/values does not export")

ELSEWHERE = {
    "Doc": '"./_generated/dataModel"',
    "Id": '"./_generated/dataModel"',
    "DataModel": '"./_generated/dataModel"',
    "api": '"./_generated/api"',
    "internal": '"./_generated/api"',
    "components": '"./_generated/api"',
    "QueryCtx": '"./_generated/server"',
    "MutationCtx": '"./_generated/server"',
    "ActionCtx": '"./_generated/server"',
}


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    exports = project.convex_exports
    if not isinstance(exports, ConvexExports) or not covers(exports, project.convex_version):
        return
    shadowed = shadowed_convex_packages(project)
    for module in [*project.modules.values(), *project.frontend.values()]:
        for source, name, loc in module.import_specifiers:
            if source not in CHECKED_MODULES or source in shadowed or name == "default":
                continue
            if source == "convex/server" and name in REGISTRARS:
                continue
            if exports.exports(source, name) is False:
                where = f" it lives in {ELSEWHERE[name]}" if name in ELSEWHERE else ""
                yield report.at(
                    loc,
                    f'"{source}" does not export `{name}` ({exports.source});{where or " check the name"}.',
                )
