"""One shape of a finding: the engine's report fields, stored as they are (Finding.REPORT_FIELDS)
and given back alike by the API (whose schema declares what it serves) and the JSON and CSV
exports."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.serializers import FindingSerializer
from auditor.engine.model import Location
from auditor.engine.report import finding_dict
from auditor.engine.rules.base import Finding as EngineFinding
from projects.models import Finding
from tests.automation import finding, store
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db

NESTED = {"dismissed", "ignore_rule"}  # objects in JSON, flattened into columns in CSV


def engine_fields() -> set[str]:
    reported = EngineFinding("auth/public-function-without-auth", "error", Location("convex/a.ts", 1, 0, 1, 4), "m")
    return set(finding_dict(reported))


def test_it_stores_exactly_the_fields_the_engine_reports():
    assert set(Finding.REPORT_FIELDS) == engine_fields()


def test_it_gives_the_api_and_every_export_the_same_finding_shape(client, personas):
    audit = store(RepositoryFactory(team=personas.team), finding("one", "error"))
    api = APIClient()
    api.force_authenticate(personas.viewer)
    (served,) = api.get(reverse("api_audit_findings", args=[audit.pk])).json()["results"]
    client.force_login(personas.viewer)
    exported = json.loads(client.get(reverse("reports:export", args=[audit.pk, "json"])).content)["findings"][0]
    response = client.get(reverse("reports:export", args=[audit.pk, "csv"]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    columns = next(csv.reader(io.StringIO(body.decode())))

    assert engine_fields() | {"status", "state", "justification", *NESTED} <= set(exported)
    # The API is the JSON export's shape, with the row's id and its link named file_url.
    assert set(served) - {"id", "file_url"} == set(exported) - {"url"}
    # What the OpenAPI schema declares is what the API serves.
    assert set(FindingSerializer().fields) == set(served)
    assert set(exported) - NESTED <= set(columns)
