"""process.env where the typed env object is available.

What it flags:
    `process.env` read in the Convex folder when the project's Convex version (from the lock
    file, or the lower bound of the `package.json` range) is 1.39.0 or later, the release that
    added environment variables declared with validators in `convex.config.ts`
    (`defineApp({ env: {...} })`) and the generated, typed `env` object. With an unknown
    version the rule stays silent and the report's `stats.versions.silent_rules` says so.

Why it matters:
    `process.env.X` is a string or `undefined` that TypeScript knows nothing about: a misspelt
    name (`OPEN_AI_KEY` for `OPENAI_API_KEY`) or a variable missing from one deployment only
    shows up at run time. Declared variables are checked, typed and listed in one place. Most
    Convex code uses `process.env`, which keeps working; this is hygiene, not a bug.

Example:
    const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });

Fix:
    Declare the variable in `convex/convex.config.ts`
    (`defineApp({ env: { OPENAI_API_KEY: v.string() } })`) and read it from the generated `env`
    object (`env.OPENAI_API_KEY`).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo
from auditor.engine.versions import rule_allowed

RULE = RuleInfo("config/process-env", "info", "process.env where the typed env object is available")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    if rule_allowed(project.convex_version, RULE.id) is not True:
        return
    version = project.convex_version.label
    for module in project.modules.values():
        for loc in module.process_env:
            yield report.at(
                loc,
                f"`process.env` in Convex code, where convex {version} offers typed environment variables: "
                "declare it in `convex.config.ts` (`defineApp({ env })`) and read the generated `env` object.",
            )
