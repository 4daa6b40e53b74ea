"""JSON, CSV and SARIF exports of an audit parse, and SARIF matches the engine's shape and schema."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.urls import reverse
from jsonschema.validators import validator_for

from auditor.engine.rules import all_rules
from reports.exports import CSV_COLUMNS
from tests.factories import RepositoryFactory
from tests.reportdata import add_findings, make_audit

pytestmark = pytest.mark.django_db

SARIF_SCHEMA = Path(__file__).resolve().parents[1] / "engine" / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture
def audit(personas):
    repository = RepositoryFactory(team=personas.team, name="acme/chat", url="https://github.com/acme/chat.git")
    audit = make_audit(repository, findings=9)
    add_findings(audit, 2, start=100, suppressed=True, rule="engine/parse-error", severity="info")
    return audit


@pytest.fixture
def viewer(client, personas):
    client.force_login(personas.viewer)
    return client


def _get(client, audit, fmt):
    response = client.get(reverse("reports:export", args=[audit.pk, fmt]))
    assert response.status_code == 200
    assert f'filename="audit-{audit.pk}-{audit.short_sha}.{fmt}"' in response["Content-Disposition"]
    return response


def test_it_exports_json_with_audit_findings_and_inventory(viewer, audit):
    response = _get(viewer, audit, "json")
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["audit"]["id"] == audit.pk and data["audit"]["commit"]["sha"] == audit.commit_sha
    assert len(data["findings"]) == 11
    first = data["findings"][0]
    assert first["severity"] == "error"  # severity order, errors first
    assert first["url"].startswith(f"https://github.com/acme/chat/blob/{audit.commit_sha}/")
    assert data["inventory"]["schema"]["tables"][0]["name"] == "users"


def test_it_exports_csv_with_a_header_and_one_row_per_finding(viewer, audit):
    response = _get(viewer, audit, "csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + 11
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["severity"] == "error" and record["fingerprint"]
    assert sum(1 for row in rows[1:] if row[CSV_COLUMNS.index("suppressed")] == "yes") == 2


def test_it_exports_sarif_in_the_engines_shape(viewer, audit):
    response = _get(viewer, audit, "sarif")
    assert response["Content-Type"] == "application/sarif+json"
    data = json.loads(response.content)
    assert data["version"] == "2.1.0"
    run = data["runs"][0]
    assert len(run["results"]) == 11
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [r.id for r in all_rules()]
    parse_error = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "engine/parse-error")
    assert "**What it flags.**" in parse_error["help"]["markdown"]
    result = run["results"][0]
    assert result["level"] == "error"
    assert result["partialFingerprints"]["convexAuditor/v1"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startColumn"] == 3  # stored 0-based column 2
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert len(suppressed) == 2 and suppressed[0]["suppressions"][0]["kind"] == "inSource"
    assert all(r["ruleIndex"] is not None for r in suppressed)
    assert run["versionControlProvenance"][0]["revisionId"] == audit.commit_sha


def test_it_exports_sarif_that_validates_against_the_official_schema(viewer, audit):
    schema = json.loads(SARIF_SCHEMA.read_text())
    validator = validator_for(schema)(schema)
    document = json.loads(_get(viewer, audit, "sarif").content)
    assert [e.message for e in validator.iter_errors(document)] == []


def test_it_refuses_an_unknown_export_format(viewer, audit):
    assert viewer.get(reverse("reports:export", args=[audit.pk, "xml"])).status_code == 404
