"""The API's root, and the operations automation needs: connect a repository, triage a finding,
read and set ignore rules; all in the OpenAPI schema. DRF's plain-text authtoken is gone."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken
from projects.models import Audit, Repository
from tests.automation import finding, store
from tests.factories import MembershipFactory, RepositoryFactory
from triage.models import IgnoreRule, TriageDecision

pytestmark = pytest.mark.django_db

RULE = "auth/public-function-without-auth"


def api_as(user) -> APIClient:
    _, raw = ApiToken.issue(user, "tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_it_lists_the_endpoints_at_the_api_root(personas):
    response = api_as(personas.viewer).get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["projects"].endswith("/api/v1/projects/")
    assert response.json()["schema"].endswith("/api/v1/schema/")
    assert APIClient().get("/api/v1/").status_code == 401


def test_it_has_no_drf_authtoken():
    assert not apps.is_installed("rest_framework.authtoken")
    assert "rest_framework.authentication.TokenAuthentication" not in settings.REST_FRAMEWORK[
        "DEFAULT_AUTHENTICATION_CLASSES"]


@pytest.mark.parametrize("persona,status", [("owner", 201), ("admin", 201), ("member", 403), ("viewer", 403)])
def test_it_connects_a_repository_for_admins(personas, local_remote, allow_local_repos, persona, status,
                                             django_capture_on_commit_callbacks):
    remote = local_remote
    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(personas.get(persona)).post(
            reverse("api_projects"), {"team": personas.team.pk, "url": remote.url}, format="json")
    assert response.status_code == status, response.json()
    if status == 201:
        data = response.json()
        assert data["branch"] == "main" and data["team"]["id"] == personas.team.pk
        repository = Repository.objects.get(pk=data["id"])
        assert repository.audits.get().trigger == Audit.Trigger.API
    else:
        assert not Repository.objects.exists()


def test_it_refuses_another_teams_id_and_bad_input_with_the_forms_errors(personas, local_remote, allow_local_repos):
    client = api_as(personas.owner)
    remote = local_remote
    url = reverse("api_projects")
    assert client.post(url, {"team": personas.other_team.pk, "url": remote.url}, format="json").status_code == 404
    missing = client.post(url, {"team": personas.team.pk, "url": remote.url, "branch": "nope"}, format="json")
    assert missing.status_code == 400 and "does not exist" in missing.json()["branch"][0]["message"]
    assert client.post(url, {"team": personas.team.pk}, format="json").status_code == 400
    client.post(url, {"team": personas.team.pk, "url": remote.url}, format="json")
    again = client.post(url, {"team": personas.team.pk, "url": remote.url}, format="json")
    assert again.status_code == 400 and "already connected" in str(again.json())
    # In one team only, the team may be left out.
    solo = MembershipFactory(role="owner").user
    assert api_as(solo).post(url, {"url": remote.url}, format="json").status_code == 201


@pytest.fixture
def audited(personas):
    repository = RepositoryFactory(team=personas.team)
    audit = store(repository, finding("fp", "error", rule=RULE))
    Repository.objects.filter(pk=repository.pk).update(last_audit=audit)
    return repository, audit


@pytest.mark.parametrize("persona,status", [("owner", 200), ("member", 200), ("viewer", 403), ("outsider", 404)])
def test_it_triages_a_finding_for_members(personas, audited, persona, status):
    _, audit = audited
    target = audit.findings.get()
    response = api_as(personas.get(persona)).post(
        reverse("api_finding_triage", args=[target.pk]),
        {"state": "false_positive", "comment": "Checked by middleware"}, format="json")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["changed"] and body["finding"]["state"] == "dismissed"
        assert body["finding"]["dismissed"]["comment"] == "Checked by middleware"
        assert Audit.objects.get(pk=audit.pk).counts()["error"] == 0
    else:
        assert not TriageDecision.objects.exists()


def test_it_refuses_a_dismissal_without_a_comment(personas, audited):
    _, audit = audited
    response = api_as(personas.member).post(reverse("api_finding_triage", args=[audit.findings.get().pk]),
                                            {"state": "accepted_risk"}, format="json")
    assert response.status_code == 400 and "comment" in response.json()
    bad = api_as(personas.member).post(reverse("api_finding_triage", args=[audit.findings.get().pk]),
                                       {"state": "closed", "comment": "x"}, format="json")
    assert bad.status_code == 400 and "state" in bad.json()


@pytest.mark.parametrize("persona,read,write", [
    ("owner", 200, 201), ("admin", 200, 201), ("member", 200, 403), ("viewer", 200, 403), ("outsider", 404, 404),
])
def test_it_reads_and_sets_ignore_rules(personas, audited, persona, read, write):
    repository, audit = audited
    client = api_as(personas.get(persona))
    url = reverse("api_project_ignore_rules", args=[repository.pk])
    assert client.get(url).status_code == read
    response = client.post(url, {"rule": "auth/*", "path_glob": "convex/**", "reason": "Legacy"}, format="json")
    assert response.status_code == write
    if write == 201:
        assert client.get(url).json()[0]["rule"] == "auth/*"
        assert Audit.objects.get(pk=audit.pk).ignored_count == 1
        rule_url = reverse("api_project_ignore_rule", args=[repository.pk, response.json()["id"]])
        assert client.delete(rule_url).status_code == 204
        assert Audit.objects.get(pk=audit.pk).ignored_count == 0
    else:
        assert not IgnoreRule.objects.exists()


def test_it_refuses_a_misspelt_rule_id_through_the_api(personas, audited):
    repository, _ = audited
    response = api_as(personas.admin).post(reverse("api_project_ignore_rules", args=[repository.pk]),
                                           {"rule": "auth/public-functon", "reason": "x"}, format="json")
    assert response.status_code == 400 and RULE in response.json()["rule"][0]


def test_it_documents_the_operations_in_the_schema(client):
    schema = client.get(reverse("api_schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert "post" in paths["/api/v1/projects/"]
    assert "post" in paths["/api/v1/findings/{id}/triage/"]
    assert {"get", "post"} <= set(paths["/api/v1/projects/{id}/ignore-rules/"])
    assert "delete" in paths["/api/v1/projects/{id}/ignore-rules/{rule_id}/"]
    assert "get" in paths["/api/v1/"]
    findings = paths["/api/v1/audits/{id}/findings/"]["get"]
    assert "400" in findings["responses"]
    state = next(p for p in findings["parameters"] if p["name"] == "state")
    assert "dismissed" in state["schema"]["enum"]
