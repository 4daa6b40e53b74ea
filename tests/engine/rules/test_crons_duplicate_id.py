"""crons/duplicate-id: two cron jobs under one name."""

from __future__ import annotations

import pytest

from tests.engine.helpers import check_case, clean, flagged

RULE_ID = "crons/duplicate-id"

FLAGGED = [
    flagged("the same literal name on two schedules", {
        "convex/crons.ts": """
            import { cronJobs } from "convex/server";
            import { internal } from "./_generated/api";

            const crons = cronJobs();
            crons.daily("cleanup", { hourUTC: 3, minuteUTC: 10 }, internal.sessions.purge);
            crons.interval("refresh", { minutes: 5 }, internal.feeds.refresh);
            crons.cron("cleanup", "15 4 * * *", internal.uploads.purge);
            export default crons;
        """,
    }, ("convex/crons.ts", 'crons.cron("cleanup"')),
]

CLEAN = [
    clean("distinct names, names built at runtime, and registrations under a condition", {
        "convex/crons.ts": """
            import { cronJobs } from "convex/server";
            import { internal } from "./_generated/api";

            const crons = cronJobs();
            crons.daily("purge sessions", { hourUTC: 3, minuteUTC: 10 }, internal.sessions.purge);
            crons.daily("purge uploads", { hourUTC: 4, minuteUTC: 10 }, internal.uploads.purge);
            for (const feed of ["news", "blog"]) {
              crons.interval(`refresh ${feed}`, { minutes: 5 }, internal.feeds.refresh, { feed });
            }
            if (process.env.STAGING) {
              crons.interval("digest", { hours: 1 }, internal.emails.digest);
            } else {
              crons.interval("digest", { hours: 24 }, internal.emails.digest);
            }
            export default crons;
        """,
    }),
]


@pytest.mark.parametrize("case", FLAGGED, ids=lambda case: case.name)
def test_it_flags_a_name_registered_twice(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)


@pytest.mark.parametrize("case", CLEAN, ids=lambda case: case.name)
def test_it_accepts_distinct_runtime_and_conditional_names(tmp_path, case):
    check_case(tmp_path, RULE_ID, case)
