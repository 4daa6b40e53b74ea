"""The report pages with each persona, plus what each page shows."""

from __future__ import annotations

import re
import shutil

import pytest
from django.urls import reverse

from projects import pipeline
from projects.models import Audit, Finding
from tests import reportdata
from tests.automation import finding
from tests.factories import AuditFactory, RepositoryFactory
from tests.reportdata import add_findings, make_audit

pytestmark = pytest.mark.django_db

TEAM_READERS = ("owner", "admin", "member", "viewer")
AUDIT_PAGES = ("reports:audit", "reports:schema", "reports:index_map", "reports:endpoints", "reports:audit_progress")


@pytest.fixture
def acme(personas):
    repository = RepositoryFactory(team=personas.team, name="acme/chat", url="https://github.com/acme/chat.git")
    audit = make_audit(repository, findings=12)
    return repository, audit


def login(client, user):
    client.force_login(user)
    return client


def findings_matched(response) -> int:
    """The count the page states above its findings (e.g. "15 open findings in 3 rules")."""
    stated = re.search(r'result-count" aria-live="polite"><strong>(\d+)</strong>', response.content.decode())
    return int(stated.group(1))


def findings_shown(response) -> int:
    return response.content.decode().count('<li class="loc-row ')


@pytest.mark.parametrize("persona", (*TEAM_READERS, "outsider"))
@pytest.mark.parametrize("page", AUDIT_PAGES)
def test_it_shows_audit_pages_to_the_team_and_404s_others(client, personas, acme, persona, page):
    _, audit = acme
    response = login(client, personas.get(persona)).get(reverse(page, args=[audit.pk]))
    assert response.status_code == (404 if persona == "outsider" else 200)


@pytest.mark.parametrize("persona", (*TEAM_READERS, "outsider"))
@pytest.mark.parametrize("fmt", ("json", "csv", "sarif"))
def test_it_exports_only_to_the_team(client, personas, acme, persona, fmt):
    _, audit = acme
    response = login(client, personas.get(persona)).get(reverse("reports:export", args=[audit.pk, fmt]))
    assert response.status_code == (404 if persona == "outsider" else 200)


@pytest.mark.parametrize("persona", (*TEAM_READERS, "outsider"))
def test_it_shows_history_to_the_team_and_404s_others(client, personas, acme, persona):
    repository, _ = acme
    response = login(client, personas.get(persona)).get(reverse("reports:history", args=[repository.pk]))
    assert response.status_code == (404 if persona == "outsider" else 200)


@pytest.mark.parametrize("persona", (*TEAM_READERS, "outsider"))
def test_it_redirects_to_the_latest_audit_for_the_team_only(client, personas, acme, persona):
    repository, audit = acme
    response = login(client, personas.get(persona)).get(reverse("reports:latest_audit", args=[repository.pk]))
    if persona == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and response.url == reverse("reports:audit", args=[audit.pk])


@pytest.mark.parametrize("persona", (*TEAM_READERS, "outsider"))
def test_it_lists_only_the_current_teams_projects(client, personas, acme, persona):
    RepositoryFactory(team=personas.other_team, name="globex/secret")
    response = login(client, personas.get(persona)).get(reverse("reports:projects"))
    assert response.status_code == 200
    body = response.content.decode()
    if persona == "outsider":
        assert "globex/secret" in body and "acme/chat" not in body
    else:
        assert "acme/chat" in body and "globex/secret" not in body


@pytest.mark.parametrize("persona", ("owner", "admin", "member", "viewer", "outsider"))
def test_it_lets_members_and_up_run_an_audit(client, personas, acme, persona, django_capture_on_commit_callbacks):
    repository, _ = acme
    before = Audit.objects.filter(repository=repository).count()
    with django_capture_on_commit_callbacks(execute=False):
        response = login(client, personas.get(persona)).post(reverse("reports:run_audit", args=[repository.pk]))
    expected = {"outsider": 404, "viewer": 403}.get(persona, 302)
    assert response.status_code == expected
    after = Audit.objects.filter(repository=repository).count()
    assert after == before + (1 if expected == 302 else 0)


def test_it_answers_htmx_with_a_polling_progress_fragment(client, personas, acme, django_capture_on_commit_callbacks):
    repository, _ = acme
    with django_capture_on_commit_callbacks(execute=False):
        response = login(client, personas.member).post(
            reverse("reports:run_audit", args=[repository.pk]), HTTP_HX_REQUEST="true"
        )
    body = response.content.decode()
    queued = Audit.objects.filter(repository=repository, state=Audit.State.QUEUED).get()
    assert response.status_code == 200
    assert f'hx-get="{reverse("reports:audit_progress", args=[queued.pk])}' in body
    assert 'hx-trigger="every 2s"' in body and "Queued" in body


def test_it_stops_polling_when_done_and_shows_why_a_run_failed(client, personas, acme):
    repository, done = acme
    failed = AuditFactory(repository=repository, state=Audit.State.FAILED, failure_reason="Branch main is missing")
    client = login(client, personas.viewer)
    response = client.get(reverse("reports:audit_progress", args=[done.pk]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "hx-trigger" not in body and "Done" in body
    assert response["HX-Refresh"] == "true"  # the page reloads to show the finished audit
    body = client.get(reverse("reports:audit_progress", args=[failed.pk])).content.decode()
    assert "hx-trigger" not in body and "Branch main is missing" in body


def test_it_sends_anonymous_visitors_to_log_in(client, acme):
    _, audit = acme
    response = client.get(reverse("reports:audit", args=[audit.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_it_shows_health_formula_counts_and_a_sparkline(client, personas, acme):
    repository, audit = acme
    for score in (90, 70):
        AuditFactory(repository=repository, health_score=score)
    body = login(client, personas.viewer).get(reverse("reports:projects")).content.decode()
    assert "How the health score is computed" in body and "min(cap(severity), findings * points(severity))" in body
    assert '<svg class="sparkline"' in body and "<polyline" in body
    assert f'<span class="sev sev-error" title="errors">{audit.error_count}</span>' in body
    assert "Run audit" in login(client, personas.member).get(reverse("reports:projects")).content.decode()


def test_it_hides_the_run_button_from_viewers(client, personas, acme):
    body = login(client, personas.viewer).get(reverse("reports:projects")).content.decode()
    assert 'class="run-audit"' not in body


def test_it_filters_findings(client, personas, acme):
    _, audit = acme
    add_findings(audit, 3, start=100, rule="auth/only-here", severity="error", path="convex/special/a.ts")
    add_findings(audit, 2, start=200, suppressed=True, severity="info")
    Finding.objects.filter(audit=audit, fingerprint__isnull=False, line__lte=2).update(status="unchanged")
    client = login(client, personas.viewer)
    url = reverse("reports:audit", args=[audit.pk])

    def count(**params) -> int:
        return findings_matched(client.get(url, params))

    assert count() == 15
    assert count(severity="error") == audit.findings.filter(severity="error", suppressed=False).count()
    assert count(rule="auth/only-here") == 3
    assert count(path="convex/special/") == 3
    assert count(status="unchanged") == audit.findings.filter(status="unchanged", suppressed=False).count() > 0
    assert count(state="suppressed") == count(suppressed="only") == 2
    assert count(state="all") == count(suppressed="include") == 17
    assert count(severity="bogus") == 15  # unknown values are ignored on the page (the API answers 400)


def test_it_paginates_findings_and_keeps_filters_in_the_links(client, personas, acme):
    _, audit = acme
    add_findings(audit, 120, start=1000, severity="warning")
    client = login(client, personas.viewer)
    url = reverse("reports:audit", args=[audit.pk])
    first = client.get(url, {"severity": "warning", "group": "none"})
    assert "page 1 of 3" in first.content.decode()
    assert findings_shown(first) == 50
    assert "?severity=warning&amp;group=none&amp;page=2" in first.content.decode()
    last = client.get(url, {"severity": "warning", "group": "none", "page": 3})
    warnings = audit.findings.filter(severity="warning").count()
    assert findings_shown(last) == warnings - 100
    assert "page 3 of 3" in client.get(url, {"page": 999, "group": "none"}).content.decode()


def test_it_shows_code_rule_doc_and_a_github_link_for_each_finding(client, personas, acme):
    _, audit = acme
    add_findings(audit, 1, start=500, rule="engine/parse-error", severity="info", path="convex/broken.ts")
    body = login(client, personas.viewer).get(
        reverse("reports:audit", args=[audit.pk]), {"path": "convex/broken.ts"}
    ).content.decode()
    assert f"https://github.com/acme/chat/blob/{audit.commit_sha}/convex/broken.ts#L201" in body
    # The stored snippet, highlighted, as no clone is at this commit.
    assert '<span class="kd">const</span> value500 = <span class="k">await</span>' in body
    assert "What it flags" in body and "Nothing in that file was checked" in body


def test_it_stores_context_lines_with_the_audit_and_never_reads_the_clone(client, personas, tmp_path):
    repository = RepositoryFactory(team=personas.team)
    checkout = tmp_path / "checkout"
    (checkout / "convex").mkdir(parents=True)
    (checkout / "convex" / "a.ts").write_text("\n".join(f"line {n}" for n in range(1, 21)))
    audit = AuditFactory(repository=repository, state=Audit.State.ANALYSING, finished_at=None)
    pipeline.store_results(audit, {"findings": [finding("ctx", path="convex/a.ts", line=10)]}, workdir=checkout)
    shutil.rmtree(checkout)  # the web process has no clone (production mounts it on the worker only)
    body = login(client, personas.viewer).get(reverse("reports:audit", args=[audit.pk])).content.decode()
    assert '<span class="ln hit"><span class="num">10</span>line <span class="mf">10</span></span>' in body
    assert '<span class="num">7</span>line <span class="mf">7</span>' in body
    assert '<span class="num">13</span>line <span class="mf">13</span>' in body


def test_it_shows_the_schema_tables_indexes_and_a_mermaid_diagram(client, personas, acme):
    _, audit = acme
    response = login(client, personas.viewer).get(reverse("reports:schema", args=[audit.pk]))
    body = response.content.decode()
    assert "vendor/mermaid.min.js" in body
    assert "erDiagram" in body
    assert "messages }o--|| users : &quot;author&quot;" in body
    assert "tokenIdentifier" in body and "by_channel" in body and 'id(&quot;users&quot;)' in body


def test_it_shows_the_index_map(client, personas, acme):
    _, audit = acme
    body = login(client, personas.viewer).get(reverse("reports:index_map", args=[audit.pk])).content.decode()
    for text in ("by_token", "users:me", "Unused indexes", "by_author", "by_body", "messages:search", "users:all"):
        assert text in body


def test_it_marks_a_row_unused_only_when_the_summary_counts_it(client, personas, acme):
    repository, _ = acme
    data = reportdata.inventory()
    data["index_map"]["indexes"].append(
        {"table": "users", "name": "by_email", "kind": "index", "fields": ["email"], "path": "convex/schema.ts",
         "line": 9, "used_by": [], "unused": False})  # used through a helper: no function reaches it directly
    audit = reportdata.make_audit(repository, findings=0, inventory_data=data)
    body = login(client, personas.viewer).get(reverse("reports:index_map", args=[audit.pk])).content.decode()
    rows = {name: body[body.index(f'<code class="wrap">{name}</code>'):] for name in ("by_email", "by_author")}
    assert rows["by_email"].split("</tr>")[0].count('class="warn">unused') == 0
    assert "used, through a helper" in rows["by_email"].split("</tr>")[0]
    # by_author comes from an inventory without the row flag: the summary's list decides.
    assert rows["by_author"].split("</tr>")[0].count('class="warn">unused') == 1
    assert body.count('class="warn">unused') == 1


def test_it_shows_routes_and_functions(client, personas, acme):
    _, audit = acme
    body = login(client, personas.viewer).get(reverse("reports:endpoints", args=[audit.pk])).content.decode()
    assert "/messages" in body and "/files/" in body and "files:serve" in body
    assert f"https://github.com/acme/chat/blob/{audit.commit_sha}/convex/http.ts#L8" in body
    assert "messages:send" in body and "users:store" in body and "internal" in body


def test_it_explains_an_audit_without_results(client, personas, acme):
    repository, _ = acme
    failed = AuditFactory(repository=repository, state=Audit.State.FAILED, failure_reason="No Convex folder")
    client = login(client, personas.viewer)
    for page in ("reports:audit", "reports:schema", "reports:index_map", "reports:endpoints"):
        response = client.get(reverse(page, args=[failed.pk]))
        assert response.status_code == 200 and "No Convex folder" in response.content.decode()
    assert client.get(reverse("reports:export", args=[failed.pk, "json"])).status_code == 404


def test_it_shows_a_reused_audits_findings_from_the_original(client, personas, acme):
    repository, original = acme
    reuse = AuditFactory(repository=repository, commit_sha=original.commit_sha, reused_from=original)
    response = login(client, personas.viewer).get(reverse("reports:audit", args=[reuse.pk]))
    assert findings_matched(response) == 12
    assert f"audit #{original.pk}" in response.content.decode()


def test_it_renders_the_rule_catalog_from_docstrings(client, personas):
    from auditor.engine.rules import all_rules

    body = login(client, personas.viewer).get(reverse("reports:rules")).content.decode()
    for rule in all_rules():
        assert rule.id in body
    assert "What it flags" in body and "Why it matters" in body and "Fix" in body
    assert "npx tsc --noEmit" in body


def test_it_confirms_a_run_and_shows_the_new_audits_own_time(client, personas, acme,
                                                               django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    repository, done = acme
    # Twenty and a half days back: pages count whole minutes from the minute's start, so "20 minutes ago" became
    # "21 minutes ago" whenever the test crossed into the next minute; a day count cannot move so.
    Audit.objects.filter(pk=done.pk).update(created_at=timezone.now() - timedelta(days=20, hours=12),
                                             finished_at=timezone.now() - timedelta(days=20, hours=12))
    client = login(client, personas.member)
    assert "20 days ago" in client.get(reverse("reports:projects")).content.decode()
    url = reverse("reports:run_audit", args=[repository.pk])
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(url, HTTP_HX_REQUEST="true").content.decode()
        again = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Audit of acme/chat queued." in first and "queued just now" in first
    assert "20 days ago" not in first
    assert "already queued" in again
    page = client.get(reverse("reports:projects")).content.decode()
    assert "queued just now" in page


def test_it_highlights_the_code_once_when_the_audit_is_stored(client, personas, tmp_path, monkeypatch):
    repository = RepositoryFactory(team=personas.team)
    checkout = tmp_path / "checkout"
    (checkout / "convex").mkdir(parents=True)
    source = ["const a = 1;", "const note = `first", "inside the string", "last`;", "export default a;"]
    (checkout / "convex" / "b.ts").write_text("\n".join(source))
    audit = AuditFactory(repository=repository, state=Audit.State.ANALYSING, finished_at=None)
    pipeline.store_results(audit, {"findings": [finding("hl", path="convex/b.ts", line=3)]}, workdir=checkout)
    stored = audit.findings.get().context
    # The whole file was highlighted: line 3 is still inside the template string.
    assert stored[2] == [3, "inside the string", '<span class="sb">inside the string</span>']

    def no_highlighting_per_request(*args, **kwargs):
        raise AssertionError("highlighted again while rendering")

    monkeypatch.setattr("reports.context.highlight_lines", no_highlighting_per_request)
    body = login(client, personas.viewer).get(reverse("reports:audit", args=[audit.pk])).content.decode()
    assert '<span class="num">3</span><span class="sb">inside the string</span>' in body
