"""Triage decisions follow fingerprints across audits; history; ignore rules in the counts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from projects.models import Audit
from tests.automation import finding, store
from tests.factories import RepositoryFactory
from triage import services
from triage.models import IgnoreRule, TriageDecision, TriageEvent

pytestmark = pytest.mark.django_db


def fresh(audit: Audit) -> Audit:
    return Audit.objects.get(pk=audit.pk)


@pytest.fixture
def repo(personas):
    return RepositoryFactory(team=personas.team)


def test_it_carries_a_decision_across_audits(client, personas, repo):
    first = store(repo, finding("fp-a", "error"), finding("fp-b"))
    client.force_login(personas.member)
    target = first.findings.get(fingerprint="fp-a")
    response = client.post(reverse("finding_triage", args=[target.pk]),
                           {"state": "false_positive", "comment": "Checked by middleware"})
    assert response.status_code == 302

    second = store(repo, finding("fp-a", "error", line=9), finding("fp-c"))
    later = second.findings.get(fingerprint="fp-a")
    assert later.pk != target.pk
    page = client.get(reverse("finding_triage", args=[later.pk]))
    assert page.context["state"] == "false_positive"
    assert "Checked by middleware" in page.content.decode()
    counts = services.audit_counts(fresh(second))
    assert counts.open == {"error": 0, "warning": 1, "info": 0}
    assert counts.dismissed == 1

    # Reopened from the later audit; the history shows both changes, newest first.
    client.post(reverse("finding_triage", args=[later.pk]), {"state": "open", "comment": ""})
    events = list(TriageEvent.objects.values_list("from_state", "to_state", "user__email", "finding_id"))
    assert events == [
        ("false_positive", "open", "member@acme.test", later.pk),
        ("open", "false_positive", "member@acme.test", target.pk),
    ]
    assert services.audit_counts(fresh(second)).open["error"] == 1
    assert TriageDecision.objects.get().state == "open"


def test_it_requires_a_comment_to_dismiss(client, personas, repo):
    audit = store(repo, finding("fp-a"))
    client.force_login(personas.member)
    response = client.post(reverse("finding_triage", args=[audit.findings.get().pk]),
                           {"state": "accepted_risk", "comment": "  "})
    assert response.status_code == 400
    assert not TriageEvent.objects.exists()
    with pytest.raises(ValidationError):
        services.decide(repo, "fp-a", "accepted_risk", user=personas.member, comment="")


def test_it_lets_members_triage_and_viewers_read(client, personas, repo):
    target = store(repo, finding("fp-a")).findings.get()
    url = reverse("finding_triage", args=[target.pk])
    for name, (get_status, post_status) in {
        "owner": (200, 302), "admin": (200, 302), "member": (200, 302), "viewer": (200, 403), "outsider": (404, 404),
    }.items():
        client.force_login(personas.get(name))
        assert client.get(url).status_code == get_status, name
        state = "accepted_risk" if services.state_of(repo.pk, "fp-a") == "open" else "open"
        assert client.post(url, {"state": state, "comment": f"by {name}"}).status_code == post_status, name
    assert TriageEvent.objects.count() == 3


def test_it_renders_the_history_partial_for_the_pages(personas, repo):
    audit = store(repo, finding("fp-a"))
    target = audit.findings.get()
    services.decide(repo, "fp-a", "accepted_risk", user=personas.admin, comment="Known; ticket OPS-12")
    html = Template("{% load triage %}{% triage_history finding %}{% triage_counts audit %}").render(
        Context({"finding": target, "audit": fresh(audit)})
    )
    assert "Accepted risk" in html and "OPS-12" in html and "admin@acme.test" in html
    assert reverse("finding_triage", args=[target.pk]) in html
    assert "1 dismissed" in html


def test_it_counts_findings_matched_by_ignore_rules(client, personas, repo):
    audit = store(
        repo,
        finding("fp-a", "error", rule="auth/missing-check", path="convex/legacy/old.ts"),
        finding("fp-b", "error", rule="auth/missing-check", path="convex/new.ts"),
        finding("fp-c", "warning", rule="db/unindexed-query", path="convex/legacy/old.ts"),
    )
    url = reverse("ignore_rules", args=[repo.pk])
    client.force_login(personas.admin)
    response = client.post(url, {"rule": "auth/*", "path_glob": "convex/legacy/**", "reason": "Being rewritten"})
    assert response.status_code == 302
    counts = services.audit_counts(fresh(audit))
    assert counts.ignored == 1 and counts.open == {"error": 1, "warning": 1, "info": 0}
    page = client.get(url).content.decode()
    assert "Being rewritten" in page and "convex/legacy/**" in page and "1 ignored" in page


def test_it_lets_only_admins_manage_ignore_rules(client, personas, repo):
    url = reverse("ignore_rules", args=[repo.pk])
    for name, (get_status, post_status) in {
        "owner": (200, 302), "admin": (200, 302), "member": (200, 403), "viewer": (200, 403), "outsider": (404, 404),
    }.items():
        client.force_login(personas.get(name))
        assert client.get(url).status_code == get_status, name
        assert client.post(url, {"rule": "*", "path_glob": "*", "reason": name}).status_code == post_status, name
    rule = IgnoreRule.objects.first()
    delete = reverse("ignore_rule_delete", args=[repo.pk, rule.pk])
    for name, status in {"viewer": 403, "member": 403, "outsider": 404, "admin": 302}.items():
        client.force_login(personas.get(name))
        assert client.post(delete).status_code == status, name
    assert IgnoreRule.objects.count() == 1
