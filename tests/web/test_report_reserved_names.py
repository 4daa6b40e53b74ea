"""Names that are also the names of dict methods (items, keys, values) in a project's inventory:
Django's templates look `x.items` up as a key first, so each report page must render them."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from tests.factories import RepositoryFactory
from tests.reportdata import INVENTORY, make_audit

pytestmark = pytest.mark.django_db

NAMES = ("items", "keys", "values")
PAGES = ("reports:audit", "reports:schema", "reports:index_map", "reports:endpoints")


def inventory_with_reserved_names() -> dict:
    data = copy.deepcopy(INVENTORY)
    for function in data["functions"]:
        function["args"] = {name: "string" for name in NAMES}
    fields = [{"name": name, "type": "string", "optional": False, "references": None} for name in NAMES]
    indexes = [{"name": name, "kind": "index", "fields": [name], "filter_fields": [], "line": 3} for name in NAMES]
    data["schema"]["tables"] += [
        {"name": name, "line": 2, "opaque": False, "fields": fields, "indexes": indexes} for name in NAMES
    ]
    data["index_map"]["indexes"] += [
        {"table": name, "name": name, "kind": "index", "fields": [name], "path": "convex/schema.ts", "line": 3,
         "used_by": [{"function": "messages:list", "path": "convex/messages.ts", "line": 4}]}
        for name in NAMES
    ]
    return data


def test_it_renders_every_report_page_with_args_and_tables_named_items_keys_and_values(client, personas):
    repository = RepositoryFactory(team=personas.team)
    audit = make_audit(repository, inventory_data=inventory_with_reserved_names())
    client.force_login(personas.viewer)
    for page in PAGES:
        response = client.get(reverse(page, args=[audit.pk]))
        assert response.status_code == 200, page
    endpoints = client.get(reverse("reports:endpoints", args=[audit.pk])).content.decode()
    assert "<code>items: string</code>, <code>keys: string</code>, <code>values: string</code>" in endpoints
    assert client.get(reverse("reports:history", args=[repository.pk])).status_code == 200
    for fmt in ("json", "csv", "sarif"):
        assert client.get(reverse("reports:export", args=[audit.pk, fmt])).status_code == 200
