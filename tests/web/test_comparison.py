"""One answer to "what is new since the baseline" (projects.comparison), read by gate, digest, diff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gates import services as gates
from notifications import digest
from notifications.models import DigestSubscription
from projects import comparison
from projects.models import Audit, FixedFinding
from reports.diff import diff_audits
from tests.automation import finding, now, store
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo(personas):
    return RepositoryFactory(team=personas.team)


def test_it_stores_new_reopened_unchanged_and_fixed_with_the_baseline(repo):
    first = store(repo, finding("a", "error"), finding("b"), finished_at=now() - timedelta(hours=3))
    second = store(repo, finding("a", "error"), finished_at=now() - timedelta(hours=2))
    third = store(repo, finding("a", "error"), finding("b"), finding("c"))
    assert second.baseline_id == first.pk and third.baseline_id == second.pk
    assert list(FixedFinding.objects.filter(audit=second).values_list("fingerprint", flat=True)) == ["b"]
    assert dict(third.findings.values_list("fingerprint", "status")) == {
        "a": "unchanged", "b": "reopened", "c": "new"
    }
    assert (third.new_count, third.reopened_count, third.fixed_count) == (1, 1, 0)


def test_it_never_calls_a_finding_fixed_while_its_fingerprint_is_there(repo):
    store(repo, finding("scan", rule="perf/collect-then-filter"), finished_at=now() - timedelta(hours=1))
    # Suppressed in source afterwards: still reported by the engine, so not fixed.
    later = store(repo, finding("scan", rule="perf/collect-then-filter", suppressed=True), finding("index"))
    assert later.fixed_count == 0 and not FixedFinding.objects.filter(audit=later).exists()
    assert diff_audits(Audit.objects.get(pk=later.baseline_id), later).fixed_total == 0


def test_it_gives_gate_digest_and_diff_the_same_answer(personas, repo):
    base = store(repo, finding("kept", "error"), finding("gone", "error"), finished_at=now() - timedelta(hours=2))
    head = store(repo, finding("kept", "error"), finding("added", "error"))
    gate = gates.evaluate(head)
    subscription = DigestSubscription(user=personas.member, team=personas.team, min_severity="info")
    section = digest.build_for_audit(subscription, head).sections[0]
    diff = diff_audits(base, head)
    added = head.findings.get(fingerprint="added")
    assert gate.baseline_id == base.pk and gate.details[0]["findings"] == [added.pk]
    assert [item.link.rsplit("/", 3)[-3] for item in section.new] == [str(added.pk)]
    assert [f.pk for f in diff.new_findings] == [added.pk]
    assert section.fixed_total == diff.fixed_total == head.fixed_count == 1


def test_it_compares_with_an_explicit_baseline(repo):
    main = store(repo, finding("x"), finding("y"), finished_at=now() - timedelta(hours=2))
    store(repo, finding("unrelated"), finished_at=now() - timedelta(hours=1))
    branch = store(repo, finding("x"), finding("z"))
    comparison.record(branch, main)  # a pull request's base, not the previous audit
    branch.refresh_from_db()
    assert branch.baseline_id == main.pk
    assert dict(branch.findings.values_list("fingerprint", "status")) == {"x": "unchanged", "z": "new"}
    assert list(comparison.fixed_findings(branch).values_list("fingerprint", flat=True)) == ["y"]
    assert [f.fingerprint for f in comparison.new_findings(branch)] == ["z"]


def test_it_reads_what_was_stored_and_never_compares_again(personas, repo, monkeypatch):
    base = store(repo, finding("kept", "error"), finding("gone", "error"), finished_at=now() - timedelta(hours=2))
    head = store(repo, finding("kept", "error"), finding("added", "error"))

    def compare_again(*args, **kwargs):
        raise AssertionError("compared again instead of reading the stored answer")

    monkeypatch.setattr(comparison, "compare", compare_again)
    # The stored answer is the one read: call the added finding unchanged, and watch all three follow.
    head.findings.filter(fingerprint="added").update(status="unchanged")
    assert gates.evaluate(head).new_count == 0
    subscription = DigestSubscription(user=personas.member, team=personas.team, min_severity="info")
    section = digest.build_for_audit(subscription, head).sections[0]
    diff = diff_audits(base, head)
    assert section.new == [] and diff.new_findings == []
    assert section.fixed_total == diff.fixed_total == 1
