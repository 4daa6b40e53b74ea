"""The rendered parts of finished audits kept in the cache (reports/fragments.py): reused when
nothing they show has changed, and never stale when something has."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Audit, Repository
from reports import fragments
from reports.templatetags.reports_tags import ago
from tests.factories import AuditFactory, RepositoryFactory
from tests.reportdata import make_audit
from triage import services

pytestmark = pytest.mark.django_db

BODY_PAGES = ("reports:audit", "reports:schema", "reports:index_map", "reports:endpoints")


@pytest.fixture
def audited(personas):
    repository = RepositoryFactory(team=personas.team, name="acme/chat", url="https://github.com/acme/chat.git")
    return make_audit(repository, findings=12)


def get(client, user, name, audit, params=None):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name, args=[audit.pk]), params or {})
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def cached_fragments() -> list[str]:
    return [value for key, value in _cache_items() if ":fragment:" in key]


def cached_fragment_kinds() -> list[str]:
    """The kind of each stored fragment: its template, or a name such as "audit-header"."""
    return sorted(key.split(":fragment:", 1)[1].rsplit(":", 1)[0] for key, _ in _cache_items() if ":fragment:" in key)


def _cache_items():
    backend = cache._cache if hasattr(cache, "_cache") else None  # LocMemCache keeps a dict
    if isinstance(backend, dict):
        for key in list(backend):
            yield key, cache.get(key.split(":", 2)[2])
        return
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=f"{settings.CACHE_KEY_PREFIX}:*fragment:*"):
        name = key.decode()
        yield name, cache.get(name.split(":", 2)[2])


@pytest.mark.parametrize("name", BODY_PAGES)
def test_it_serves_the_second_view_of_a_done_audit_from_the_cache(client, personas, audited, name):
    first, first_queries = get(client, personas.viewer, name, audited)
    second, second_queries = get(client, personas.member, name, audited)
    assert second_queries < first_queries
    assert _without_header(first) == _without_header(second)


def _without_header(page: str) -> str:
    """The page below its header, without the controls only members get (the bulk triage form)."""
    body = page.split('<nav class="tabs">', 1)[1].split("</main>", 1)[0]
    body = re.sub(r'<form [^>]*id="bulk-triage".*?</form>', "", body, flags=re.S).replace(" can-triage", "")
    return " ".join(body.split())


def test_it_shows_a_new_triage_decision_at_once(client, personas, audited):
    finding = audited.findings.filter(suppressed=False).order_by("pk").first()
    before, _ = get(client, personas.viewer, "reports:audit", audited)
    assert f'id="finding-{finding.pk}"' in before
    services.decide(audited.repository, finding.fingerprint, "false_positive", user=personas.member,
                    comment="Checked by hand", finding=finding)
    after, _ = get(client, personas.viewer, "reports:audit", audited)
    assert f'id="finding-{finding.pk}"' not in after  # no longer open
    dismissed, _ = get(client, personas.viewer, "reports:audit", audited, {"state": "dismissed"})
    assert f'id="finding-{finding.pk}"' in dismissed and "false positive</span>" in dismissed


def test_it_shows_a_new_ignore_rule_at_once(client, personas, audited):
    rule = audited.findings.filter(suppressed=False).order_by("pk").first().rule
    get(client, personas.viewer, "reports:audit", audited)
    services.add_ignore_rule(audited.repository, rule="*", path_glob="*", reason="Legacy code", user=personas.admin)
    after, _ = get(client, personas.viewer, "reports:audit", audited)
    assert f'data-group="{rule}"' not in after
    ignored, _ = get(client, personas.viewer, "reports:audit", audited, {"state": "ignored"})
    assert f'data-group="{rule}"' in ignored and "ignored by a rule</span>" in ignored


def test_it_follows_a_change_of_the_repository_address(client, personas, audited):
    before, _ = get(client, personas.viewer, "reports:endpoints", audited)
    assert "https://github.com/acme/chat/blob/" in before
    Repository.objects.filter(pk=audited.repository_id).update(url="https://github.com/acme/renamed.git")
    after, _ = get(client, personas.viewer, "reports:endpoints", audited)
    assert "https://github.com/acme/renamed/blob/" in after and "acme/chat/blob" not in after


def test_it_keeps_each_filter_and_page_apart(client, personas, audited):
    errors, _ = get(client, personas.viewer, "reports:audit", audited, {"severity": "error"})
    everything, _ = get(client, personas.viewer, "reports:audit", audited)
    expected_errors = audited.findings.filter(severity="error", suppressed=False).count()
    assert f"<strong>{expected_errors}</strong> open finding" in errors
    assert f"<strong>{audited.findings.filter(suppressed=False).count()}</strong> open finding" in everything


def test_it_never_caches_what_an_unfinished_audit_will_fill_in(client, personas, audited):
    running = AuditFactory(repository=audited.repository, state=Audit.State.ANALYSING)
    for name in BODY_PAGES:
        page, _ = get(client, personas.viewer, name, running)
        assert "still analysing" in page
    # Only the headers, keyed by the audit's state: they change when the audit does.
    assert cached_fragment_kinds() == ["audit-header"] * len(BODY_PAGES)


def test_it_shows_the_new_state_of_an_audit_in_its_header(client, personas, audited):
    running = AuditFactory(repository=audited.repository, state=Audit.State.ANALYSING)
    assert 'data-state="analysing"' in get(client, personas.viewer, "reports:schema", running)[0]
    Audit.objects.filter(pk=running.pk).update(state=Audit.State.FAILED, failure_reason="The clone timed out")
    page, _ = get(client, personas.viewer, "reports:schema", running)
    assert 'data-state="failed"' in page and "The clone timed out" in page


def test_it_keeps_tokens_and_people_out_of_cached_fragments(client, personas, audited):
    for name in BODY_PAGES:
        get(client, personas.owner, name, audited)
    stored = cached_fragments()
    assert len(stored) == 2 * len(BODY_PAGES)  # each tab's header and body
    for html in stored:
        assert "csrfmiddlewaretoken" not in html
        assert personas.owner.email not in html


def test_it_takes_the_release_from_the_settings_not_the_source_folders(settings):
    settings.AUDITOR_RELEASE = "abc123"
    before = fragments.fragment_key("findings", [1])
    settings.AUDITOR_RELEASE = "def456"
    assert fragments.release() == "def456" and fragments.fragment_key("findings", [1]) != before


def test_it_changes_every_key_with_the_release(monkeypatch):
    before = fragments.fragment_key("findings", [1, "a"])
    assert before == fragments.fragment_key("findings", [1, "a"])
    assert before != fragments.fragment_key("findings", [1, "b"])
    monkeypatch.setattr(fragments, "release", lambda: "another-release")
    assert before != fragments.fragment_key("findings", [1, "a"])


def projects_page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:projects"))
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_each_role_its_own_controls_on_a_cached_projects_table(client, personas, audited):
    assert 'class="run-audit"' in projects_page(client, personas.member)
    assert 'class="run-audit"' not in projects_page(client, personas.viewer)
    assert 'class="run-audit"' in projects_page(client, personas.owner)


def test_it_shows_an_audit_that_finished_since_the_last_view(client, personas, audited):
    before = projects_page(client, personas.viewer)
    newer = make_audit(audited.repository, findings=3)
    Repository.objects.filter(pk=audited.repository_id).update(last_audit=newer)
    after = projects_page(client, personas.viewer)
    assert f"/audits/{newer.pk}/" not in before
    assert f"/audits/{newer.pk}/" in after


def test_it_runs_an_audit_from_a_cached_row_with_the_pages_own_token(client, personas, audited, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client = type(client)(enforce_csrf_checks=True)
    page = projects_page(client, personas.member)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    run_url = reverse("reports:run_audit", args=[audited.repository_id])
    assert f'form="run-audit" formaction="{run_url}"' in page
    assert client.post(run_url).status_code == 403  # the rows carry no token of their own
    assert client.post(run_url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert all("csrfmiddlewaretoken" not in html for html in cached_fragments())


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(0, "just now"), (1, "1 minute ago"), (59, "59 minutes ago"), (60, "1 hour ago"), (150, "2 hours ago"),
     (24 * 60, "1 day ago"), (3 * 24 * 60 + 5, "3 days ago"), (-5, "just now")],
)
def test_it_says_how_long_ago_to_the_minute(minutes, text):
    now = timezone.now()
    assert ago(now - timedelta(minutes=minutes, seconds=20 if minutes > 0 else 0), now) == text


def history_page(client, user, repository, params=None) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:history", args=[repository.pk]), params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_a_new_audit_and_its_diff_in_a_cached_history(client, personas, audited):
    repository = audited.repository
    older = make_audit(repository, findings=4)
    before = history_page(client, personas.viewer, repository)
    assert f"From <a href=\"/audits/{audited.pk}/\">#{audited.pk}</a>" in before
    newest = make_audit(repository, findings=2)
    after = history_page(client, personas.viewer, repository)
    assert f"/audits/{newest.pk}/" in after
    assert f"From <a href=\"/audits/{older.pk}/\">#{older.pk}</a>" in after


def test_it_keeps_each_compared_pair_apart(client, personas, audited):
    repository = audited.repository
    middle = make_audit(repository, findings=4)
    newest = make_audit(repository, findings=2)
    default = history_page(client, personas.viewer, repository)
    chosen = history_page(client, personas.viewer, repository, {"base": audited.pk, "head": newest.pk})
    assert f"From <a href=\"/audits/{middle.pk}/\">" in default
    assert f"From <a href=\"/audits/{audited.pk}/\">" in chosen
