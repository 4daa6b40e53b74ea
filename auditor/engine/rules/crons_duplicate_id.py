"""Two cron jobs registered under the same name.

What it flags:
    Two jobs of one `cronJobs()` object registered, at the top level of the crons module, under
    the same literal name (`crons.daily("cleanup", ...)` twice, or `crons.interval` and
    `crons.cron` both named "cleanup"). The finding sits at the second registration. Names built
    at runtime and registrations inside conditions, loops or functions are not compared.

Why it matters:
    `cronJobs()` throws "Cron identifier registered twice" when the module loads, so the push
    fails and none of the crons (the first one included) is scheduled. It usually happens when a
    job is copied to make a second one and the name is not changed.

Example:
    crons.daily("cleanup", { hourUTC: 3, minuteUTC: 10 }, internal.sessions.purge);
    crons.daily("cleanup", { hourUTC: 4, minuteUTC: 10 }, internal.uploads.purge);

Fix:
    Give every job its own name: "purge sessions", "purge uploads". The name identifies the job
    in the dashboard's cron list and its logs.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import CronFact, ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("crons/duplicate-id", "error", "Two cron jobs registered under the same name")


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    first: dict[tuple[str, str, str], CronFact] = {}
    for cron in project.crons:
        if not (cron.name_literal and cron.top_level):
            continue
        key = (cron.loc.path, cron.registry, cron.name)
        earlier = first.setdefault(key, cron)
        if earlier is cron:
            continue
        yield report.at(
            cron.loc,
            f"The cron job {cron.name!r} is already registered on line {earlier.loc.line}; cronJobs() throws "
            "\"Cron identifier registered twice\" and no cron is deployed. Give this job its own name.",
        )
