"""The findings page: groups by rule or file, sorts, filters with counts, the default "open"
state, and bulk triage."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from projects.models import Finding
from tests.factories import RepositoryFactory
from tests.reportdata import add_findings, make_audit
from triage import services
from triage.models import TriageDecision, TriageEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit(personas):
    repository = RepositoryFactory(team=personas.team, url="https://github.com/acme/chat.git")
    audit = make_audit(repository, findings=0)
    add_findings(audit, 5, start=0, rule="perf/unbounded-collect", severity="warning", path="convex/a.ts")
    add_findings(audit, 12, start=10, rule="auth/public-function-without-auth", severity="error", path="convex/b.ts")
    add_findings(audit, 2, start=30, rule="perf/unbounded-collect", severity="warning", path="convex/b.ts",
                 status="unchanged")
    add_findings(audit, 1, start=40, rule="perf/unbounded-collect", severity="info", path="convex/c.ts",
                 suppressed=True)
    return audit


def page(client, user, audit, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:audit", args=[audit.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def groups(html: str) -> list[tuple[str, int]]:
    return [(key, int(n)) for key, n in re.findall(
        r'data-group="([^"]+)">.*?<span class="count" title="findings">(\d+)</span>', html, re.S)]


def rows(html: str) -> int:
    return html.count('<li class="loc-row ')


def test_it_groups_by_rule_with_counts_errors_first(client, personas, audit):
    html = page(client, personas.viewer, audit)
    assert groups(html) == [("auth/public-function-without-auth", 12), ("perf/unbounded-collect", 7)]
    assert "<strong>19</strong> open findings in 2 rules" in html


def test_it_shows_a_rules_explanation_and_fix_once_then_compact_rows(client, personas, audit):
    html = page(client, personas.viewer, audit)
    assert html.count("Check the caller, and that they may do this") == 1
    assert html.count('<div class="group-doc">') == 2  # one per group, not one per finding
    # The first rows of each group, then a link to all of its locations.
    assert rows(html) == 8 + 7
    assert "Show all 12 locations" in html
    assert "?rule=auth%2Fpublic-function-without-auth" in html


def test_it_shows_every_location_of_one_rule_a_page_at_a_time(client, personas, audit):
    html = page(client, personas.viewer, audit, rule="auth/public-function-without-auth")
    assert groups(html) == [("auth/public-function-without-auth", 12)] and rows(html) == 12
    assert "Show all" not in html


def test_it_groups_by_file_and_names_the_rule_on_each_row(client, personas, audit):
    html = page(client, personas.viewer, audit, group="file", sort="file")
    assert groups(html) == [("convex/a.ts", 5), ("convex/b.ts", 14)]
    assert f'href="https://github.com/acme/chat/blob/{audit.commit_sha}/convex/a.ts"' in html
    assert '<span class="rule-id">perf/unbounded-collect</span>' in html


def test_it_sorts_groups_and_rows_by_newest(client, personas, audit):
    Finding.objects.filter(audit=audit, rule="auth/public-function-without-auth").update(status="unchanged")
    html = page(client, personas.viewer, audit, sort="newest")
    assert [key for key, _ in groups(html)] == ["perf/unbounded-collect", "auth/public-function-without-auth"]
    flat = page(client, personas.viewer, audit, sort="newest", group="none")
    statuses = re.findall(r'<li class="loc-row state-open".*?</summary>', flat, re.S)
    assert all('status-new' in row for row in statuses[:5]) and 'status-new' not in statuses[-1]


def test_it_shows_open_findings_by_default_and_counts_each_state(client, personas, audit):
    first = audit.findings.get(fingerprint__isnull=False, line=11)  # one of the errors
    services.decide(audit.repository, first.fingerprint, "accepted_risk", user=personas.member, comment="ok")
    services.add_ignore_rule(audit.repository, rule="perf/*", path_glob="convex/a.ts", reason="legacy",
                             user=personas.admin)
    html = page(client, personas.viewer, audit)
    assert groups(html) == [("auth/public-function-without-auth", 11), ("perf/unbounded-collect", 2)]
    for state, n in (("open", 13), ("dismissed", 1), ("ignored", 5), ("suppressed", 1), ("all", 20)):
        assert f'<option value="{state}"' in html and f"({n})</option>" in html.split(f'<option value="{state}"')[1]
    ignored = page(client, personas.viewer, audit, state="ignored")
    assert groups(ignored) == [("perf/unbounded-collect", 5)] and "ignored by a rule</span>" in ignored
    assert groups(page(client, personas.viewer, audit, suppressed="only")) == [("perf/unbounded-collect", 1)]


def test_it_counts_each_filters_choices_under_the_other_filters(client, personas, audit):
    html = page(client, personas.viewer, audit, severity="error")
    severity = html.split('name="severity"')[1].split("</select>")[0]
    assert "error (12)" in severity and "warning (7)" in severity  # its own filter aside
    rules = html.split('name="rule"')[1].split("</select>")[0]
    assert "auth/public-function-without-auth (12)" in rules and "perf/unbounded-collect" not in rules


def test_it_renders_messages_with_inline_code_escaped(client, personas, audit):
    Finding.objects.filter(audit=audit, line=1).update(message="Use `ctx.db` not <b>`x`</b>")
    html = page(client, personas.viewer, audit, group="none")
    assert "Use <code>ctx.db</code> not &lt;b&gt;<code>x</code>&lt;/b&gt;" in html


def bulk(client, user, audit, **data):
    client.force_login(user)
    return client.post(reverse("triage_bulk", args=[audit.pk]), data)


def last_message(response) -> str:
    return [str(m) for m in response.wsgi_request._messages][-1]


def test_it_triages_picked_rows_with_one_decision_and_comment(client, personas, audit):
    picked = list(audit.findings.filter(rule="perf/unbounded-collect", suppressed=False)[:3])
    response = bulk(client, personas.member, audit, finding=[f.pk for f in picked], state="false_positive",
                    comment="Bounded by the caller", query="severity=warning")
    assert response.status_code == 302 and response.url.endswith("?severity=warning")
    decisions = TriageDecision.objects.filter(repository=audit.repository)
    assert {d.fingerprint for d in decisions} == {f.fingerprint for f in picked}
    assert {(d.state, d.comment, d.updated_by_id) for d in decisions} == {
        ("false_positive", "Bounded by the caller", personas.member.pk)}
    assert TriageEvent.objects.filter(repository=audit.repository, to_state="false_positive").count() == 3
    assert groups(page(client, personas.viewer, audit)) == [
        ("auth/public-function-without-auth", 12), ("perf/unbounded-collect", 4)]


def test_it_triages_a_whole_group_under_the_pages_filters(client, personas, audit):
    response = bulk(client, personas.member, audit, group=["perf/unbounded-collect"], state="accepted_risk",
                    comment="Small tables", query="path=convex/b.ts")
    assert response.status_code == 302
    dismissed = set(TriageDecision.objects.filter(repository=audit.repository).values_list("fingerprint", flat=True))
    expected = set(audit.findings.filter(rule="perf/unbounded-collect", path="convex/b.ts", suppressed=False)
                   .values_list("fingerprint", flat=True))
    assert dismissed == expected and len(expected) == 2
    # Reopening the same group, and again: the second time nothing changes.
    bulk(client, personas.member, audit, group=["perf/unbounded-collect"], state="open", query="state=dismissed")
    assert set(TriageDecision.objects.values_list("state", flat=True)) == {"open"}
    response = bulk(client, personas.member, audit, finding=[audit.findings.first().pk], state="open")
    assert last_message(response) == "Marked 0 findings as open. 1 already were."


def test_it_refuses_a_dismissal_without_a_comment_and_keeps_the_findings_open(client, personas, audit):
    response = bulk(client, personas.member, audit, group=["perf/unbounded-collect"], state="false_positive",
                    comment="  ")
    assert response.status_code == 302
    assert last_message(response) == "Say why: a comment is required."
    assert not TriageDecision.objects.exists()
    response = bulk(client, personas.member, audit, state="false_positive", comment="why")
    assert last_message(response) == "Select at least one finding or group to triage."


def test_it_lets_only_members_of_the_team_triage_in_bulk(client, personas, audit):
    one = audit.findings.first().pk
    assert bulk(client, personas.viewer, audit, finding=[one], state="false_positive", comment="x").status_code == 403
    assert bulk(client, personas.outsider, audit, finding=[one], state="false_positive", comment="x").status_code == 404
    other = make_audit(RepositoryFactory(), findings=1)
    # A finding of another team's audit, slipped into this audit's form, is not touched.
    bulk(client, personas.member, audit, finding=[other.findings.get().pk], state="false_positive", comment="x")
    assert not TriageDecision.objects.exists()


def test_it_shows_the_bulk_form_to_members_only(client, personas, audit):
    assert 'id="bulk-triage"' in page(client, personas.member, audit)
    assert 'id="bulk-triage"' not in page(client, personas.viewer, audit)


def test_it_caches_each_grouping_sort_state_and_page_apart(client, personas, audit):
    by_rule = groups(page(client, personas.viewer, audit))
    by_file = groups(page(client, personas.viewer, audit, group="file", sort="file"))
    newest = page(client, personas.viewer, audit, group="none", sort="newest", state="all")
    assert by_rule != by_file and by_file == [("convex/a.ts", 5), ("convex/b.ts", 14)]
    assert rows(newest) == 20 and "<strong>20</strong> finding" in newest
    # Repeat views (from the cache) still answer each question with its own list.
    assert groups(page(client, personas.viewer, audit)) == by_rule
    assert groups(page(client, personas.viewer, audit, group="file", sort="file")) == by_file
    assert rows(page(client, personas.viewer, audit, group="none", sort="newest", state="all")) == 20


def test_it_shows_a_file_group_without_the_files_whose_names_it_begins(client, personas, audit):
    add_findings(audit, 3, start=50, rule="perf/unbounded-collect", severity="warning", path="convex/a.tsx")
    html = page(client, personas.owner, audit, group="file", path="convex/a.ts")
    assert groups(html) == [("convex/a.ts", 5)]


def test_it_labels_an_inline_http_handler_by_its_route_not_the_engines_key(client, personas, audit):
    row = add_findings(audit, 1, start=60, rule="cors/missing-headers", severity="warning", path="convex/http.ts")[0]
    Finding.objects.filter(pk=row.pk).update(function="convex/http.ts#route:178:0")
    html = page(client, personas.owner, audit, rule="cors/missing-headers")
    assert 'title="convex/http.ts#route:178:0">HTTP route at convex/http.ts:178</code>' in html
    assert ">convex/http.ts#route:178:0<" not in html
