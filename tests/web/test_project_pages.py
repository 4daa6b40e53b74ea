"""The dashboard's score note, and the history's trend data, colours and folded quiet runs."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from gates.models import GateResult
from projects.models import Audit, Repository
from reports.templatetags.reports_tags import score_gate_note
from reports.views import fold_quiet_runs
from tests.factories import AuditFactory, RepositoryFactory
from tests.reportdata import add_findings, make_audit

pytestmark = pytest.mark.django_db


def test_it_explains_a_score_and_gate_that_disagree_in_one_line():
    assert "judges only findings new since its baseline" in score_gate_note(31, "passed")
    assert "failed on new findings" in score_gate_note(92, "failed")
    assert score_gate_note(31, "failed") == score_gate_note(92, "passed") == score_gate_note(60, "passed") == ""
    assert score_gate_note(None, "passed") == score_gate_note(20, None) == ""


def test_it_puts_the_formula_behind_a_link_and_notes_the_disagreement(client, personas):
    repository = RepositoryFactory(team=personas.team)
    audit = make_audit(repository, findings=3, health_score=31)
    GateResult.objects.create(audit=audit, status="passed")
    client.force_login(personas.viewer)
    page = client.get(reverse("reports:projects")).content.decode()
    assert '<summary>How is this computed?</summary>' in page
    # The formula is shown once, folded behind the link, not in the page's own text.
    folded = re.search(r'<details class="formula" id="health-formula">(.*?)</details>', page, re.S).group(1)
    assert "min(cap(severity)" in folded and page.count("min(cap(severity)") == 1
    assert page.count("The gate passed: it judges only findings new since its baseline") == 1
    header = client.get(reverse("reports:audit", args=[audit.pk])).content.decode()
    assert "The gate passed: it judges only findings new since its baseline" in header


def test_it_folds_consecutive_quiet_scheduled_runs():
    def audit(pk, trigger="schedule", new=0, fixed=0, state="done"):
        return Audit(pk=pk, trigger=trigger, new_count=new, fixed_count=fixed, state=state)

    audits = [audit(9, "manual", new=1), audit(8), audit(7), audit(6), audit(5, fixed=2), audit(4), audit(3, "manual"),
              audit(2), audit(1, state="failed")]
    rows = fold_quiet_runs(audits)
    shape = [("fold", [a.pk for a in row["fold"]]) if "fold" in row else row["audit"].pk for row in rows]
    assert shape == [9, ("fold", [8, 7, 6]), 5, 4, 3, 2, 1]


def test_it_shows_trends_colours_and_folds_on_the_history_page(client, personas):
    repository = RepositoryFactory(team=personas.team)
    first = make_audit(repository, findings=4, trigger="manual")
    quiet = [AuditFactory(repository=repository, trigger="schedule") for _ in range(12)]
    worse = AuditFactory(repository=repository, trigger="manual", new_count=2, fixed_count=0)
    add_findings(worse, 2, start=50, severity="error", status="new")
    better = AuditFactory(repository=repository, trigger="manual", new_count=1, fixed_count=3)
    add_findings(better, 1, start=60, severity="warning", status="new")
    Repository.objects.filter(pk=repository.pk).update(last_audit=better)
    client.force_login(personas.viewer)
    page = client.get(reverse("reports:history", args=[repository.pk])).content.decode()
    assert "12 scheduled runs, no change" in page and f"#{quiet[0].pk}\u2013#{quiet[-1].pk}" in page
    assert re.search(r'<span class="new-bad"[^>]*>\+2</span>', page)  # new errors: red
    assert re.search(r'<span class="new-warn"[^>]*>\+1</span>', page)  # new warnings only: amber
    assert '<span class="fixed-good">\u22123</span>' in page
    data = json.loads(page.split('id="history-data" type="application/json">')[1].split("</script>")[0])
    assert data["new"][-2:] == [2, 1] and data["fixed"][-2:] == [0, 3]
    assert len(data["error"]) == len(data["labels"]) == 15 and first.pk
    assert 'id="churn-chart"' in page and 'id="history-chart"' in page
