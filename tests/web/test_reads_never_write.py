"""Reading a page never writes: every GET of the team's pages runs no INSERT, UPDATE or DELETE
(the session table aside)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gates.services import badge_path
from projects.models import Repository
from tests.automation import finding, store
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)


def writes(queries) -> list[str]:
    return [q["sql"] for q in queries if WRITE.match(q["sql"]) and "django_session" not in q["sql"]]


def test_it_writes_nothing_when_pages_are_read(client, personas):
    repository = RepositoryFactory(team=personas.team, name="acme/chat")
    audit = store(repository, finding("a", "error"), finding("b"))
    Repository.objects.filter(pk=repository.pk).update(last_audit=audit)
    finding_id = audit.findings.first().pk
    pages = [
        reverse("reports:projects"),
        reverse("reports:audit", args=[audit.pk]),
        reverse("reports:schema", args=[audit.pk]),
        reverse("reports:index_map", args=[audit.pk]),
        reverse("reports:endpoints", args=[audit.pk]),
        reverse("reports:history", args=[repository.pk]),
        reverse("finding_triage", args=[finding_id]),
        reverse("ignore_rules", args=[repository.pk]),
        reverse("gate_settings", args=[repository.pk]),
        reverse("api_repository_gate", args=[repository.pk]),
        reverse("api_audit_findings", args=[audit.pk]),
        reverse("webhook_settings", args=[repository.pk]),
        reverse("schedule_settings", args=[repository.pk]),
        reverse("digest_preferences"),
        reverse("team_members", args=[personas.team.pk]),
        reverse("api_tokens"),
        badge_path(repository),
        *(reverse("reports:export", args=[audit.pk, fmt]) for fmt in ("json", "csv", "sarif")),
        reverse("api_root"),
        reverse("api_projects"),
        reverse("api_project", args=[repository.pk]),
        reverse("api_project_audits", args=[repository.pk]),
        reverse("api_audit", args=[audit.pk]),
        reverse("api_project_ignore_rules", args=[repository.pk]),
    ]
    client.force_login(personas.owner)
    client.get(reverse("reports:projects"))  # the session's first request picks the current team
    found = {}
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            assert response.status_code == 200, url
            if response.streaming:
                b"".join(response.streaming_content)  # an export is read as it is sent
        if writes(queries):
            found[url] = writes(queries)
    assert found == {}
