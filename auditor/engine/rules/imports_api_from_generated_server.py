"""api or internal imported from _generated/server.

What it flags:
    `api` or `internal` imported from the generated `_generated/server` module (any relative
    path to it).

Why it matters:
    `_generated/server` exports the registrars and context types; the function references
    `api` and `internal` live in `_generated/api`. The import fails to type-check and to
    bundle, so the push or deploy fails. It is one of the hard-deny checks of Convex's own lint
    hook for coding agents.

Example:
    import { mutation, internal } from "./_generated/server";

Fix:
    Keep the registrars on `./_generated/server` and import the references from the API
    module: `import { internal } from "./_generated/api";`.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.extract import is_generated_server
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("imports/api-from-generated-server", "error", "api or internal imported from _generated/server")

REFERENCE_ROOTS = frozenset({"api", "internal"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for module in [*project.modules.values(), *project.frontend.values()]:
        for source, name, loc in module.import_specifiers:
            if name in REFERENCE_ROOTS and is_generated_server(source):
                api_source = source.replace("_generated/server", "_generated/api")
                yield report.at(
                    loc,
                    f'`{name}` is imported from "{source}", which does not export it; import it from '
                    f'"{api_source.removesuffix(".js")}".',
                )
