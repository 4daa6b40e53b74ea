"""One effective state per finding (triage.state), read by every count, list, gate and export."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse

from gates import services as gates
from notifications import digest
from notifications.models import DigestSubscription
from projects.models import Audit
from tests.automation import finding, now, store
from tests.factories import RepositoryFactory
from triage import services
from triage.models import IgnoreRule

pytestmark = pytest.mark.django_db

AUTH_RULE = "auth/public-function-without-auth"
SCAN_RULE = "perf/collect-then-filter"


@pytest.fixture
def repo(personas):
    return RepositoryFactory(team=personas.team, name="acme/chat", url="https://github.com/acme/chat.git")


@pytest.fixture
def decided(personas, repo):
    """An audit with one open error, one dismissed error, one ignored warning, one suppressed."""
    store(repo, finished_at=now() - timedelta(hours=1))
    audit = store(
        repo,
        finding("open", "error", rule=AUTH_RULE, path="convex/messages.ts"),
        finding("dismissed", "error", rule=AUTH_RULE, path="convex/admin.ts"),
        finding("ignored", "warning", rule=SCAN_RULE, path="convex/legacy/old.ts"),
        finding("suppressed", "error", rule=AUTH_RULE, path="convex/x.ts", suppressed=True),
    )
    services.decide(repo, "dismissed", "accepted_risk", user=personas.admin, comment="Behind the VPN")
    services.add_ignore_rule(repo, rule="perf/*", path_glob="convex/legacy/**", reason="Being rewritten",
                             user=personas.admin)
    return Audit.objects.get(pk=audit.pk)


def test_it_keeps_one_state_per_finding(decided):
    states = dict(decided.findings.values_list("fingerprint", "state"))
    assert states == {"open": "open", "dismissed": "dismissed", "ignored": "ignored", "suppressed": "suppressed"}


def test_it_counts_and_scores_only_open_findings(decided, repo):
    assert decided.counts() == {"error": 1, "warning": 0, "info": 0}
    assert (decided.dismissed_count, decided.ignored_count, decided.suppressed_count) == (1, 1, 1)
    assert decided.new_count == 1
    only_open = store(RepositoryFactory(), finding("o", "error", rule=AUTH_RULE))
    assert decided.health_score == only_open.health_score < 100


def test_it_counts_a_finding_again_once_reopened(decided, repo, personas):
    services.decide(repo, "dismissed", "open", user=personas.member)
    audit = Audit.objects.get(pk=decided.pk)
    assert audit.counts()["error"] == 2 and audit.dismissed_count == 0
    services.remove_ignore_rule(IgnoreRule.objects.get())
    assert Audit.objects.get(pk=decided.pk).counts()["warning"] == 1


def test_it_lists_open_findings_by_default(client, personas, decided):
    client.force_login(personas.viewer)
    url = reverse("reports:audit", args=[decided.pk])
    page = client.get(url).content.decode()
    assert "convex/messages.ts" in page
    assert "convex/admin.ts" not in page and "convex/legacy/old.ts" not in page
    dismissed = client.get(url, {"state": "dismissed"}).content.decode()
    assert "convex/admin.ts" in dismissed and "Behind the VPN" in dismissed and "admin@acme.test" in dismissed
    ignored = client.get(url, {"state": "ignored"}).content.decode()
    assert "convex/legacy/old.ts" in ignored and "Being rewritten" in ignored


def severity_pills(page: str) -> tuple[int, int, int]:
    pills = page.split('<span class="sev-counts">')[1].split("</span>\n</span>")[0]
    return tuple(int(pills.split(f'title="{kind}">')[1].split("<")[0]) for kind in ("errors", "warnings", "info"))


def test_it_shows_the_open_counts_on_the_projects_page(client, personas, decided):
    gates.evaluate(decided)
    client.force_login(personas.viewer)
    page = client.get(reverse("reports:projects")).content.decode()
    assert f">{decided.health_score}<" in page
    assert severity_pills(page) == (1, 0, 0)  # of 3 errors and a warning, one error is open
    assert "Gate failed" in page


def test_it_shows_the_open_counts_and_the_gates_numbers_on_the_audit_page(client, personas, decided):
    gates.evaluate(decided)
    client.force_login(personas.viewer)
    page = client.get(reverse("reports:audit", args=[decided.pk])).content.decode()
    assert severity_pills(page) == (1, 0, 0)
    assert "1 dismissed · 1 ignored" in page
    assert "Quality gate: no new error: 1 new" in page
    # The filter counts: each severity counts the open findings only.
    severity = page.split('name="severity"')[1].split("</select>")[0]
    assert "error (1)" in severity and "warning (0)" in severity


def test_it_leaves_dismissed_and_ignored_findings_out_of_digests(personas, decided):
    subscription = DigestSubscription(user=personas.member, team=personas.team, min_severity="info")
    immediate = digest.build_for_audit(subscription, decided).sections[0]
    period = digest.build_period(subscription, now() - timedelta(minutes=30), now() + timedelta(minutes=1))
    for section in (immediate, period.sections[0]):
        assert [item.path for item in section.new] == ["convex/messages.ts"] and section.new_total == 1
        assert section.counts == {"error": 1, "warning": 0, "info": 0}


def test_it_leaves_dismissed_and_ignored_findings_out_of_the_gate(decided, repo):
    result = gates.evaluate(decided)
    assert result.new_count == 1
    assert result.details[0]["findings"] == [decided.findings.get(fingerprint="open").pk]


def test_it_gives_the_state_in_the_api(personas, decided):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(personas.viewer)
    url = reverse("api_audit_findings", args=[decided.pk])
    assert [f["fingerprint"] for f in client.get(url).json()["results"]] == ["open"]
    rows = {f["fingerprint"]: f for f in client.get(url, {"state": "all"}).json()["results"]}
    assert rows["dismissed"]["dismissed"]["kind"] == "accepted_risk"
    assert rows["dismissed"]["dismissed"]["by"] == "admin@acme.test"
    assert rows["dismissed"]["dismissed"]["comment"] == "Behind the VPN"
    assert rows["ignored"]["ignore_rule"]["rule"] == "perf/*"
    assert rows["suppressed"]["state"] == "suppressed"
    counts = client.get(reverse("api_audit", args=[decided.pk])).json()["counts"]
    assert (counts["error"], counts["dismissed"], counts["ignored"]) == (1, 1, 1)


def test_it_exports_the_state_in_json_csv_and_sarif(client, personas, decided):
    client.force_login(personas.viewer)

    def export(fmt: str) -> bytes:
        response = client.get(reverse("reports:export", args=[decided.pk, fmt]))
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    data = json.loads(export("json"))
    by_fp = {f["fingerprint"]: f for f in data["findings"]}
    assert {fp: f["state"] for fp, f in by_fp.items()}["dismissed"] == "dismissed"
    assert "Behind the VPN" in by_fp["dismissed"]["justification"]
    assert data["audit"]["counts"]["error"] == 1

    rows = {r["fingerprint"]: r for r in csv.DictReader(io.StringIO(export("csv").decode()))}
    assert rows["dismissed"]["state"] == "dismissed" and rows["dismissed"]["dismissed_kind"] == "accepted_risk"
    assert rows["dismissed"]["dismissed_by"] == "admin@acme.test"
    assert rows["ignored"]["ignore_rule"] == "perf/* in convex/legacy/**"
    assert rows["open"]["state"] == "open" and rows["open"]["justification"] == ""

    sarif = json.loads(export("sarif"))
    results = {r["partialFingerprints"]["convexAuditor/v1"]: r for r in sarif["runs"][0]["results"]}
    assert "suppressions" not in results["open"]
    (dismissal,) = results["dismissed"]["suppressions"]
    assert dismissal["kind"] == "external" and "Behind the VPN" in dismissal["justification"]
    (ignoring,) = results["ignored"]["suppressions"]
    assert ignoring["kind"] == "external" and "Being rewritten" in ignoring["justification"]


def test_it_refuses_a_misspelt_rule_id_in_an_ignore_rule(client, personas, repo):
    client.force_login(personas.admin)
    url = reverse("ignore_rules", args=[repo.pk])
    response = client.post(url, {"rule": "auth/public-functon-without-auth", "path_glob": "*", "reason": "x"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "No rule is called" in body and "Known rule ids:" in body
    assert AUTH_RULE in body and SCAN_RULE in body  # the list of known ids, not only a close match
    assert not IgnoreRule.objects.exists()
    assert client.post(url, {"rule": AUTH_RULE, "path_glob": "*", "reason": "x"}).status_code == 302


def test_it_shows_the_form_error_when_htmx_triages_without_a_comment(client, personas, decided):
    client.force_login(personas.member)
    target = decided.findings.get(fingerprint="open")
    response = client.post(reverse("finding_triage", args=[target.pk]), {"state": "false_positive", "comment": ""},
                           HTTP_HX_REQUEST="true")
    # htmx swaps only 2xx answers: a 400 would be dropped silently.
    assert response.status_code == 200
    assert "Say why: a comment is required." in response.content.decode()
    assert Audit.objects.get(pk=decided.pk).dismissed_count == 1
