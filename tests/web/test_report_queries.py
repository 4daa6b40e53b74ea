"""Each page runs the same number of queries with 10 findings as with 200 (no per-row queries)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import forget_cached
from tests.factories import AuditFactory, RepositoryFactory
from tests.reportdata import add_findings, make_audit, recount

pytestmark = pytest.mark.django_db

AUDIT_PAGES = [
    ("reports:audit", {}),
    ("reports:audit", {"severity": "error", "path": "convex/module1", "page": "2"}),
    ("reports:audit", {"suppressed": "include", "status": "new"}),
    ("reports:audit", {"group": "file", "sort": "newest"}),
    ("reports:audit", {"group": "none", "sort": "file", "state": "all"}),
    ("reports:audit", {"rule": "perf/unindexed-query", "page": "2"}),
    ("reports:schema", {}),
    ("reports:index_map", {}),
    ("reports:endpoints", {}),
    ("reports:audit_progress", {}),
    ("api_audit_findings", {}),
    ("api_audit_findings", {"severity": "warning", "page_size": "100"}),
    ("api_audit", {}),
    ("api_audit_inventory", {}),
]


def _count(client, url: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


@pytest.fixture
def viewer_client(client, personas):
    client.force_login(personas.viewer)
    # The first request of a session writes it; keep that out of the comparison.
    client.get(reverse("reports:rules"))
    return client


@pytest.mark.parametrize(("name", "params"), AUDIT_PAGES)
def test_it_keeps_audit_page_queries_flat_as_findings_grow(
    viewer_client, personas, django_assert_num_queries, name, params
):
    repository = RepositoryFactory(team=personas.team)
    audit = make_audit(repository, findings=10)
    url = reverse(name, args=[audit.pk])
    few = _count(viewer_client, url, params)
    add_findings(audit, 190, start=10)
    recount(audit)
    with django_assert_num_queries(few):
        viewer_client.get(url, params)


def test_it_keeps_the_projects_page_flat_as_repositories_audits_and_findings_grow(
    viewer_client, personas, django_assert_num_queries
):
    make_audit(RepositoryFactory(team=personas.team), findings=10)
    url = reverse("reports:projects")
    few = _count(viewer_client, url, {})
    for _ in range(5):
        repository = RepositoryFactory(team=personas.team)
        for _ in range(4):
            AuditFactory(repository=repository)
        make_audit(repository, findings=200)
    with django_assert_num_queries(few):
        viewer_client.get(url)


def test_it_keeps_history_and_its_diff_flat_as_findings_grow(viewer_client, personas, django_assert_num_queries):
    repository = RepositoryFactory(team=personas.team)
    base = make_audit(repository, findings=10)
    head = make_audit(repository, findings=0)
    add_findings(head, 10, start=5)  # 5 unchanged, 5 new; 5 fixed
    url = reverse("reports:history", args=[repository.pk])
    params = {"base": str(base.pk), "head": str(head.pk)}
    few = _count(viewer_client, url, params)
    add_findings(base, 190, start=10)
    add_findings(head, 300, start=5000)
    forget_cached()  # a finished audit's findings never change outside tests: render them anew
    with django_assert_num_queries(few):
        viewer_client.get(url, params)


def test_it_keeps_the_api_project_list_flat(viewer_client, personas, django_assert_num_queries):
    make_audit(RepositoryFactory(team=personas.team), findings=10)
    url = reverse("api_projects")
    few = _count(viewer_client, url, {})
    for _ in range(6):
        make_audit(RepositoryFactory(team=personas.team), findings=50)
    with django_assert_num_queries(few):
        viewer_client.get(url)


def test_it_keeps_history_flat_as_audits_grow(viewer_client, personas, django_assert_num_queries):
    repository = RepositoryFactory(team=personas.team)
    base = make_audit(repository, findings=10)
    head = make_audit(repository, findings=10)
    url = reverse("reports:history", args=[repository.pk])
    params = {"base": str(base.pk), "head": str(head.pk)}  # the same diff on both views
    few = _count(viewer_client, url, params)
    for n in range(12):  # quiet scheduled runs that fold, and audits with new errors
        AuditFactory(repository=repository, trigger="schedule")
        audit = AuditFactory(repository=repository, trigger="manual", new_count=2)
        add_findings(audit, 2, start=100 * n, status="new", severity="error")
    forget_cached()
    with django_assert_num_queries(few) as captured:
        viewer_client.get(url, params)
    # One row per audit with new errors, not one per finding.
    [new_errors] = [q for q in captured.captured_queries if "DISTINCT" in q["sql"]]
    assert '"projects_finding"."path"' not in new_errors["sql"]
