"""A repository's rule profile: set on its settings page, applied by the engine like
convex-audit.toml, snapshotted on each audit, and named on the audit's page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from auditor.engine.config import AuditConfig, with_profile
from auditor.engine.errors import EngineUsageError
from projects.models import Audit
from tests.web.test_pipeline import run

pytestmark = pytest.mark.django_db

KNOWN = {"perf/unbounded-collect", "validators/missing-args", "auth/public-function-without-auth"}


def test_it_lays_a_profile_over_the_config_file():
    file = AuditConfig(frozenset({"validators/missing-args"}), {"perf/unbounded-collect": "warning"}, ("legacy/",),
                       "convex-audit.toml")
    merged = with_profile(file, {"disable": ["auth/public-function-without-auth"],
                                 "severity": {"perf/unbounded-collect": "error", "validators/missing-args": "info"}},
                          KNOWN)
    assert merged.disabled == {"auth/public-function-without-auth"}  # missing-args is back on, as info
    assert merged.severity == {"perf/unbounded-collect": "error", "validators/missing-args": "info"}
    assert merged.ignore == ("legacy/",) and merged.source == "convex-audit.toml and the rule profile"
    assert with_profile(file, {}, KNOWN) is file


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ({"disable": ["nope/rule"]}, "unknown rule id 'nope/rule'"),
        ({"severity": {"perf/unbounded-collect": "critical"}}, "must be one of error, warning, info"),
        ({"ignore": ["x"]}, "unknown key(s) ignore"),
        ({"disable": "perf/unbounded-collect"}, "disable must be a list"),
    ],
)
def test_it_refuses_a_malformed_profile_clearly(profile, message):
    with pytest.raises(EngineUsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        with_profile(AuditConfig(), profile, KNOWN)


def test_it_lets_only_admins_edit_the_profile(client, personas, repository):
    url = reverse("rule_profile", args=[repository.pk])
    for persona, status in (("owner", 200), ("admin", 200), ("member", 403), ("viewer", 403), ("outsider", 404)):
        client.force_login(personas.get(persona))
        assert client.get(url).status_code == status


def test_it_saves_only_the_rules_changed_from_their_default(client, personas, repository):
    client.force_login(personas.admin)
    url = reverse("rule_profile", args=[repository.pk])
    response = client.post(url, {"perf/unbounded-collect": "off", "validators/missing-args": "error",
                                 "auth/public-function-without-auth": ""})
    assert response.status_code == 302
    repository.refresh_from_db()
    assert repository.rule_profile == {"disable": ["perf/unbounded-collect"],
                                       "severity": {"validators/missing-args": "error"}}
    page = client.get(url).content.decode()
    assert '<option value="off" selected>' in page and '<option value="error" selected>' in page
    response = client.post(url, {"perf/unbounded-collect": "critical"})
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    repository.refresh_from_db()
    assert repository.rule_profile["disable"] == ["perf/unbounded-collect"]  # the bad post changed nothing


def test_it_applies_the_profile_from_the_next_audit_only(client, personas, repository):
    before = run(repository)
    assert before.state == Audit.State.DONE, before.failure_reason
    rules = set(before.findings.filter(suppressed=False).values_list("rule", flat=True))
    off, recoloured = sorted(rules)[:2]
    new_level = next(level for level in ("error", "warning", "info")
                     if level != before.findings.filter(rule=recoloured).first().severity)
    repository.rule_profile = {"disable": [off], "severity": {recoloured: new_level}}
    repository.save()
    # The earlier audit keeps what it found; the same commit is analysed again, not reused.
    after = run(repository)
    assert after.state == Audit.State.DONE and after.reused_from_id is None
    assert after.rule_profile == repository.rule_profile and before.rule_profile == {}
    assert not after.findings.filter(rule=off, suppressed=False).exists()
    assert "rule profile" in after.findings.filter(rule=off).first().suppression
    assert set(after.findings.filter(rule=recoloured).values_list("severity", flat=True)) == {new_level}
    assert before.findings.filter(rule=off, suppressed=False).exists()
    # A third run of the same commit and profile reuses the second.
    assert run(repository).reused_from_id == after.pk
    client.force_login(personas.viewer)
    page = client.get(reverse("reports:audit", args=[after.pk])).content.decode()
    assert "Rule profile: 1 off, 1 with another severity" in page and f"<code>{off}</code> off" in page
    assert "default rules" in client.get(reverse("reports:audit", args=[before.pk])).content.decode()


def test_it_leaves_out_rules_the_engine_no_longer_has_instead_of_failing_the_audit(repository):
    first = run(repository)
    rule = sorted(set(first.findings.filter(suppressed=False).values_list("rule", flat=True)))[0]
    # Saved before an upgrade that removed or renamed two rules.
    repository.rule_profile = {"disable": ["gone/old-rule", rule], "severity": {"gone/renamed": "error"}}
    repository.save()
    audit = run(repository)
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert audit.rule_profile == {"disable": [rule]}
    assert not audit.findings.filter(rule=rule, suppressed=False).exists()
