"""API v1: token auth, team scoping, queueing audits, findings filters and pagination, schema."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken, hash_token
from projects.models import Audit
from tests.factories import RepositoryFactory
from tests.reportdata import add_findings, make_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(personas):
    repository = RepositoryFactory(team=personas.team, name="acme/chat", url="https://github.com/acme/chat.git")
    return repository, make_audit(repository, findings=12)


def api_as(user) -> APIClient:
    _, raw = ApiToken.issue(user, "tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_it_refuses_requests_without_a_valid_token():
    client = APIClient()
    assert client.get(reverse("api_projects")).status_code == 401
    client.credentials(HTTP_AUTHORIZATION="Bearer cva_not-a-real-token")
    response = client.get(reverse("api_projects"))
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_a_revoked_token(personas):
    token, raw = ApiToken.issue(personas.viewer, "ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(reverse("api_projects")).status_code == 200
    token.delete()
    assert client.get(reverse("api_projects")).status_code == 401


def test_it_stores_only_a_hash_of_the_token(personas):
    token, raw = ApiToken.issue(personas.viewer, "ci")
    assert raw.startswith("cva_") and raw not in (token.key_hash, token.prefix)
    assert token.key_hash == hash_token(raw) and raw.startswith(token.prefix)
    token.refresh_from_db()
    assert token.last_used_at is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")  # the DRF keyword works too
    assert client.get(reverse("api_projects")).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("persona", ("owner", "admin", "member", "viewer", "outsider"))
def test_it_scopes_projects_and_audits_to_the_users_teams(personas, acme, persona):
    repository, audit = acme
    client = api_as(personas.get(persona))
    listed = client.get(reverse("api_projects")).json()
    names = [p["name"] for p in listed["results"]]
    expected = 404 if persona == "outsider" else 200
    assert ("acme/chat" in names) == (persona != "outsider")
    for name, pk in (
        ("api_project", repository.pk),
        ("api_project_audits", repository.pk),
        ("api_audit", audit.pk),
        ("api_audit_findings", audit.pk),
        ("api_audit_inventory", audit.pk),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == expected, name


@pytest.mark.parametrize("persona", ("owner", "admin", "member", "viewer", "outsider"))
def test_it_lets_members_and_up_queue_an_audit(personas, acme, persona, django_capture_on_commit_callbacks):
    repository, _ = acme
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_as(personas.get(persona)).post(
            reverse("api_project_audits", args=[repository.pk]), {"force": True}, format="json"
        )
    expected = {"outsider": 404, "viewer": 403}.get(persona, 202)
    assert response.status_code == expected
    if expected == 202:
        body = response.json()
        audit = Audit.objects.get(pk=body["id"])
        assert body["state"] == "queued" and audit.trigger == Audit.Trigger.API and audit.force
        assert audit.requested_by == personas.get(persona)
        assert len(callbacks) == 1  # the Celery task is sent once the transaction commits
    else:
        assert not Audit.objects.filter(repository=repository, state="queued").exists()


def test_it_sends_the_queued_audit_to_the_worker(personas, acme, django_capture_on_commit_callbacks, monkeypatch):
    repository, _ = acme
    sent = []
    from projects import tasks

    monkeypatch.setattr(tasks.audit_repository, "apply_async", lambda args, kwargs: sent.append((args, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(personas.member).post(reverse("api_project_audits", args=[repository.pk]))
    assert response.status_code == 202
    assert sent == [((repository.pk, "api", False), {"audit_id": response.json()["id"]})]


def test_it_lists_audits_of_a_project_newest_first(personas, acme):
    repository, audit = acme
    newer = make_audit(repository, findings=1)
    data = api_as(personas.viewer).get(reverse("api_project_audits", args=[repository.pk])).json()
    assert [a["id"] for a in data["results"]] == [newer.pk, audit.pk]
    assert data["results"][0]["counts"]["error"] == newer.error_count


def test_it_paginates_and_filters_findings(personas, acme):
    _, audit = acme
    add_findings(audit, 3, start=100, rule="auth/only-here", severity="error", path="convex/special/a.ts")
    add_findings(audit, 2, start=200, suppressed=True)
    client = api_as(personas.viewer)
    url = reverse("api_audit_findings", args=[audit.pk])
    page = client.get(url, {"page_size": 5}).json()
    assert page["count"] == 15 and len(page["results"]) == 5 and page["next"]
    assert client.get(page["next"]).json()["results"][0]["id"] != page["results"][0]["id"]
    assert client.get(url, {"rule": "auth/only-here"}).json()["count"] == 3
    assert client.get(url, {"path": "convex/special/"}).json()["count"] == 3
    assert client.get(url, {"suppressed": "only"}).json()["count"] == 2
    assert client.get(url, {"state": "suppressed"}).json()["count"] == 2
    assert client.get(url, {"state": "all"}).json()["count"] == 17
    errors = client.get(url, {"severity": "error"}).json()
    assert {f["severity"] for f in errors["results"]} == {"error"}
    first = errors["results"][0]
    assert first["file_url"] == f"https://github.com/acme/chat/blob/{audit.commit_sha}/{first['path']}#L{first['line']}"


def test_it_returns_the_inventory(personas, acme):
    _, audit = acme
    data = api_as(personas.viewer).get(reverse("api_audit_inventory", args=[audit.pk])).json()
    assert data["audit"] == audit.pk
    assert [t["name"] for t in data["schema"]["tables"]] == ["users", "messages"]
    assert data["index_map"]["unused"][0]["name"] == "by_author"


def test_it_serves_the_openapi_schema_and_docs(client, personas):
    response = client.get(reverse("api_schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/projects/", "/api/v1/projects/{id}/audits/", "/api/v1/audits/{id}/findings/",
                 "/api/v1/audits/{id}/inventory/"):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/projects/{id}/audits/"]
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    client.force_login(personas.viewer)
    docs = client.get(reverse("api_docs"))
    assert docs.status_code == 200 and "/api/v1/audits/{id}/findings/" in docs.content.decode()


def test_it_creates_shows_once_and_revokes_tokens_on_the_settings_page(client, personas):
    client.force_login(personas.viewer)
    url = reverse("api_tokens")
    response = client.post(url, {"name": "GitHub Actions"})
    raw = response.context["new_token"]
    assert raw.startswith("cva_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=personas.viewer)
    assert token.name == "GitHub Actions" and token.key_hash == hash_token(raw)
    listing = client.get(url).content.decode()
    assert raw not in listing and token.prefix in listing
    assert client.post(url, {"name": ""}).status_code == 400
    # another user cannot revoke it
    client.force_login(personas.outsider)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    client.force_login(personas.viewer)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_it_needs_a_login_for_the_token_page(client):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("params", [{}, {"page_size": 5, "page": 2}, {"page_size": 5, "page": "last"},
                                    {"severity": "warning", "page_size": 3, "page": 2}])
def test_it_answers_a_cached_page_of_findings_exactly_as_the_first_time(personas, acme, params):
    _, audit = acme
    client = api_as(personas.viewer)
    url = reverse("api_audit_findings", args=[audit.pk])
    first = client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, params)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert not any("projects_finding" in query["sql"] for query in queries.captured_queries)


def test_it_serializes_an_unfinished_audits_findings_every_time(personas, acme):
    repository, _ = acme
    running = make_audit(repository, findings=4)
    Audit.objects.filter(pk=running.pk).update(state=Audit.State.ANALYSING)
    client = api_as(personas.viewer)
    url = reverse("api_audit_findings", args=[running.pk])
    assert client.get(url).json()["count"] == 4
    add_findings(running, 2, start=50)
    assert client.get(url).json()["count"] == 6


def test_it_still_refuses_a_page_past_the_end_of_cached_findings(personas, acme):
    _, audit = acme
    client = api_as(personas.viewer)
    url = reverse("api_audit_findings", args=[audit.pk])
    assert client.get(url).status_code == 200
    assert client.get(url, {"page": 99}).status_code == 404


def test_it_refuses_unknown_filter_values_with_the_allowed_ones(personas, acme):
    _, audit = acme
    client = api_as(personas.viewer)
    url = reverse("api_audit_findings", args=[audit.pk])
    for name, value in {"severity": "critical", "status": "gone", "state": "closed", "suppressed": "maybe"}.items():
        response = client.get(url, {name: value})
        assert response.status_code == 400, name
        message = response.json()[name][0]
        assert repr(value) in message
    assert "error, warning, info" in client.get(url, {"severity": "critical"}).json()["severity"][0]
    assert "open, dismissed, ignored, suppressed, all" in client.get(url, {"state": "x"}).json()["state"][0]


def test_it_filters_by_a_file_or_a_folder_and_not_by_a_longer_name(personas, acme):
    _, audit = acme
    add_findings(audit, 2, start=300, rule="auth/only-here", severity="error", path="convex/lib/a.ts")
    add_findings(audit, 1, start=310, rule="auth/only-here", severity="error", path="convex/lib/a.tsx")
    add_findings(audit, 4, start=320, rule="auth/only-here", severity="error", path="convex/library.ts")
    client = api_as(personas.viewer)
    url = reverse("api_audit_findings", args=[audit.pk])

    def paths(**params: str) -> list[str]:
        return sorted(f["path"] for f in client.get(url, {"rule": "auth/only-here", **params}).json()["results"])

    assert paths(path="convex/lib/a.ts") == ["convex/lib/a.ts"] * 2
    assert paths(path="convex/lib") == ["convex/lib/a.ts"] * 2 + ["convex/lib/a.tsx"]
    assert paths(path="convex/lib/") == paths(path="convex/lib")
