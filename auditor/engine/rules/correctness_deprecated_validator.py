"""Validator the installed Convex version deprecates.

What it flags:
    A call to a `v.*` validator (from `convex/values`, under any local name) that the project's
    Convex version marks `@deprecated`, such as `v.bigint()` (replaced by `v.int64()`). The list
    of deprecated validators, with the version that deprecates each, lives in one table
    (`auditor.engine.versions.DEPRECATED_VALIDATORS`). With an unknown version the rule stays
    silent and the report's `stats.versions.silent_rules` says so.

Why it matters:
    Deprecated validators keep working until a major release removes them; code using them then
    stops compiling or deploying all at once. The replacement usually says more precisely what
    is stored (`v.int64()` names the Convex type a `bigint` is stored as).

Example:
    export default defineSchema({
      counters: defineTable({ value: v.bigint() }),
    });

Fix:
    Use the replacement: `v.int64()` for `v.bigint()`. The stored data does not change.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo
from auditor.engine.versions import deprecated_validators, rule_allowed

RULE = RuleInfo("correctness/deprecated-validator", "warning", "Validator deprecated by the installed Convex version")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    if rule_allowed(project.convex_version, RULE.id) is not True:
        return
    deprecated = deprecated_validators(project.convex_version)
    version = project.convex_version.label
    for module in project.modules.values():
        for name, loc in module.validator_calls:
            replacement = deprecated.get(name)
            if replacement is None:
                continue
            yield report.at(
                loc,
                f"`v.{name}()` is deprecated in convex {version}; use `{replacement}`.",
            )
