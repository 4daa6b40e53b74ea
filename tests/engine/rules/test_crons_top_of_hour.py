"""crons/top-of-hour: cron jobs pinned to minute 0."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "crons/top-of-hour"

FLAGGED = [
    flagged("minuteUTC 0 and cron expressions at minute 0", {
        "convex/crons.ts": """
            import { cronJobs } from "convex/server";
            import { internal } from "./_generated/api";

            const crons = cronJobs();

            crons.hourly("refresh exchange rates", { minuteUTC: 0 }, internal.rates.refresh);
            crons.daily(
              "send digest",
              { hourUTC: 9, minuteUTC: 0 },
              internal.emails.sendDigest,
            );
            crons.monthly("invoice", { day: 1, hourUTC: 0, minuteUTC: 0 }, internal.billing.invoice, {});
            crons.cron("hourly sync", "0 * * * *", internal.sync.run);
            crons.cron("weekly report", "00 8 * * 1", internal.reports.weekly, { kind: "weekly" });

            export default crons;
        """,
    }, ("convex/crons.ts", '"refresh exchange rates"'), ("convex/crons.ts", "crons.daily("),
       ("convex/crons.ts", '"invoice"'), ("convex/crons.ts", '"hourly sync"'), ("convex/crons.ts", '"weekly report"')),
]

CLEAN = [
    clean("other minutes, omitted minutes, intervals and step expressions", {
        "convex/crons.ts": """
            import { cronJobs } from "convex/server";
            import { internal } from "./_generated/api";

            const crons = cronJobs();

            crons.interval("clear presence", { minutes: 1 }, internal.presence.clear);
            crons.hourly("refresh", { minuteUTC: 17 }, internal.rates.refresh);
            crons.daily("send reminder", { hourUTC: 17 }, internal.emails.send);
            crons.weekly("backup", { dayOfWeek: "saturday", hourUTC: 3, minuteUTC: 41 }, internal.backup.run);
            crons.cron("every 15 minutes", "*/15 * * * *", internal.sync.run);
            crons.cron("nightly", "23 2 * * *", internal.cleanup.run);

            export default crons;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_jobs_at_minute_zero(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_other_minutes_and_intervals(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
