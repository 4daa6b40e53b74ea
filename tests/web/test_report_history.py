"""The history page: chart data, audit list, and the diff between two audits."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from reports.diff import diff_audits, diff_items
from tests.factories import AuditFactory, RepositoryFactory
from tests.reportdata import INVENTORY, add_findings, inventory, make_audit

pytestmark = pytest.mark.django_db


def _changed_inventory():
    data = copy.deepcopy(INVENTORY)
    # routes: one removed (GET /files/), one changed (auth now checked), one added
    data["http_routes"] = [
        {**data["http_routes"][0], "auth": True, "line": 99},
        {"method": "DELETE", "path": "/messages", "path_prefix": None, "handler": "inline", "file": "convex/http.ts",
         "line": 30, "cors": False, "preflight": False, "auth": True},
    ]
    # functions: users:store removed, messages:send moved only (not a change), messages:list changed, one added
    functions = {f["id"]: f for f in data["functions"]}
    data["functions"] = [
        {**functions["messages:list"], "auth_checked": True},
        {**functions["messages:send"], "line": 77},
        {**functions["messages:list"], "id": "messages:remove", "name": "remove", "kind": "mutation"},
    ]
    # tables: users gains a field; a new table; indexes: by_author dropped, by_email added
    users, messages = data["schema"]["tables"]
    users["fields"].append({"name": "email", "type": "string", "optional": True, "references": None})
    users["indexes"].append({"name": "by_email", "kind": "index", "fields": ["email"], "filter_fields": [], "line": 9})
    messages["indexes"] = [i for i in messages["indexes"] if i["name"] != "by_author"]
    data["schema"]["tables"].append({"name": "channels", "line": 20, "opaque": False, "fields": [], "indexes": []})
    return data


@pytest.fixture
def two_audits(personas):
    repository = RepositoryFactory(team=personas.team, name="acme/chat")
    base = make_audit(repository, findings=0)
    add_findings(base, 6, start=0)  # fingerprints 0..5
    head = make_audit(repository, findings=0, inventory_data=_changed_inventory())
    add_findings(head, 6, start=3)  # 3..8: 3 unchanged, 3 new (6, 7, 8), 3 fixed (0, 1, 2)
    add_findings(head, 1, start=50, suppressed=True)  # suppressed findings are not "new"
    return repository, base, head


def test_it_diffs_findings_and_inventory_between_two_audits(two_audits):
    _, base, head = two_audits
    diff = diff_audits(base, head)
    assert diff.new_total == 3 and sorted(f.message for f in diff.new_findings) == [
        "Finding number 6", "Finding number 7", "Finding number 8"
    ]
    assert diff.fixed_total == 3 and sorted(f.message for f in diff.fixed_findings) == [
        "Finding number 0", "Finding number 1", "Finding number 2"
    ]
    assert [r["method"] for r in diff.routes.added] == ["DELETE"]
    assert [r["path_prefix"] for r in diff.routes.removed] == ["/files/"]
    assert [new["auth"] for _, new in diff.routes.changed] == [True]
    assert [f["id"] for f in diff.functions.added] == ["messages:remove"]
    assert [f["id"] for f in diff.functions.removed] == ["users:store"]
    assert [new["id"] for _, new in diff.functions.changed] == ["messages:list"]  # a moved function is not changed
    assert [t["name"] for t in diff.tables.added] == ["channels"]
    assert [new["name"] for _, new in diff.tables.changed] == ["users"]
    assert [i["name"] for i in diff.indexes.added] == ["by_email"]
    assert [i["name"] for i in diff.indexes.removed] == ["by_author"]


def test_it_finds_no_difference_between_an_audit_and_itself(two_audits):
    _, base, _ = two_audits
    diff = diff_audits(base, base)
    assert diff.new_total == diff.fixed_total == 0
    assert all(section.empty for _, section in diff.sections)


def test_it_diffs_a_reused_audit_through_its_original(two_audits):
    repository, base, head = two_audits
    reuse = AuditFactory(repository=repository, commit_sha=head.commit_sha, reused_from=head)
    assert diff_audits(base, reuse).new_total == 3


def test_it_ignores_position_only_changes():
    before = [{"id": "a", "line": 1, "path": "x.ts", "kind": "query"}]
    after = [{"id": "a", "line": 40, "path": "x.ts", "kind": "query"}]
    assert diff_items(before, after, lambda f: f["id"]).empty


def test_it_shows_the_diff_chart_and_audit_list_on_the_history_page(client, personas, two_audits):
    repository, base, head = two_audits
    failed = AuditFactory(repository=repository, state="failed", failure_reason="Clone timed out")
    client.force_login(personas.viewer)
    response = client.get(reverse("reports:history", args=[repository.pk]), {"base": base.pk, "head": head.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert "vendor/chart.umd.min.js" in body and 'id="history-data"' in body
    chart = response.context["chart"]
    assert chart["labels"] == [f"#{base.pk} {base.short_sha}", f"#{head.pk} {head.short_sha}"]
    assert chart["error"] == [base.error_count, head.error_count]
    assert f"#{failed.pk}" in body and "Clone timed out" in body
    assert "Finding number 7" in body and "Finding number 1" in body
    assert "messages:remove" in body and "by_email" in body and "channels" in body


def test_it_compares_the_two_latest_audits_by_default(client, personas, two_audits):
    repository, base, head = two_audits
    client.force_login(personas.viewer)
    diff = client.get(reverse("reports:history", args=[repository.pk])).context["diff"]
    assert (diff.base.pk, diff.head.pk) == (base.pk, head.pk)


def test_it_404s_a_diff_with_another_repositorys_audit(client, personas, two_audits):
    repository, base, _ = two_audits
    foreign = make_audit(RepositoryFactory(team=personas.other_team), findings=1, inventory_data=inventory())
    client.force_login(personas.viewer)
    response = client.get(reverse("reports:history", args=[repository.pk]), {"base": base.pk, "head": foreign.pk})
    assert response.status_code == 404


def test_it_pages_the_audit_list_but_charts_the_latest_audits(client, personas):
    repository = RepositoryFactory(team=personas.team)
    audits = [AuditFactory(repository=repository, error_count=n) for n in range(55)]
    client.force_login(personas.viewer)
    url = reverse("reports:history", args=[repository.pk])
    first = client.get(url).context
    assert len(first["audits"].object_list) == 50 and first["audits"].paginator.num_pages == 2
    assert len(first["chart"]["labels"]) == 30 and first["chart"]["error"][-1] == 54
    second = client.get(url, {"page": 2}).context
    assert [a.pk for a in second["audits"].object_list] == [a.pk for a in reversed(audits[:5])]
    assert second["chart"] == first["chart"]
