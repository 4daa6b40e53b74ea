"""Cron job at minute 0.

What it flags:
    A cron job of `convex/crons.ts` pinned to minute 0 of the hour: `crons.hourly`,
    `crons.daily`, `crons.weekly` or `crons.monthly` with `minuteUTC: 0`, or `crons.cron` with
    an expression whose minute field is `0` (`"0 * * * *"`, `"0 9 * * 1"`). A schedule that
    omits `minuteUTC` is not flagged: current Convex versions pick a minute themselves to
    spread the load. Interval jobs (`crons.interval`) have no fixed minute.

Why it matters:
    Minute 0 is when everyone's scheduled jobs, reports and backups fire, and when external
    APIs (payment providers, email services, LLM providers) see their peak and rate-limit
    hardest. A job pinned there competes with all of them, and with your own other jobs at
    the same minute, for function concurrency and database writes.

Example:
    crons.daily("send digest", { hourUTC: 9, minuteUTC: 0 }, internal.emails.sendDigest);
    crons.cron("sync", "0 * * * *", internal.sync.run);

Fix:
    Pick an unremarkable minute (`minuteUTC: 17`, `"23 * * * *"`), or omit `minuteUTC` and let
    Convex choose one.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("crons/top-of-hour", "info", "Cron job at minute 0")

_CLOCK_SCHEDULES = frozenset({"hourly", "daily", "weekly", "monthly"})


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for cron in project.crons:
        if cron.schedule in _CLOCK_SCHEDULES:
            minute = cron.details.get("minuteUTC")
            if minute == 0 and not isinstance(minute, bool):
                yield report.at(cron.loc, _message(cron.name, f"crons.{cron.schedule} with minuteUTC: 0"))
        elif cron.schedule == "cron":
            expression = str(cron.details.get("expression") or "")
            fields = expression.split()
            if len(fields) in {5, 6} and fields[0] in {"0", "00"}:
                yield report.at(cron.loc, _message(cron.name, f'the expression "{expression}"'))


def _message(name: str, how: str) -> str:
    return f"The cron job {name!r} runs at minute 0 ({how}), the busiest minute of the clock; pick another minute."
