"""Deploy safety: unsafe schema and API changes between two audits, on the history diff and in digests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from reports.diff import diff_audits
from tests.engine.helpers import audit_project
from tests.factories import RepositoryFactory
from tests.reportdata import make_audit

pytestmark = pytest.mark.django_db

BEFORE = {
    "convex/schema.ts": """
        import { defineSchema, defineTable } from "convex/server";
        import { v } from "convex/values";

        export default defineSchema({
          users: defineTable({ name: v.string(), role: v.union(v.literal("admin"), v.literal("member")) }),
        });
    """,
    "convex/users.ts": """
        import { mutation, query } from "./_generated/server";
        import { v } from "convex/values";

        export const rename = mutation({ args: { name: v.string() }, handler: async () => null });
        export const list = query({ args: {}, handler: async () => [] });
    """,
}
AFTER = {
    "convex/schema.ts": BEFORE["convex/schema.ts"].replace(
        'role: v.union(v.literal("admin"), v.literal("member"))', 'role: v.literal("admin"), plan: v.string()'),
    "convex/users.ts": BEFORE["convex/users.ts"].replace("export const list", "export const all"),
}


def engine_inventory(tmp_path: Path, files: dict[str, str]) -> dict:
    inventory = audit_project(tmp_path, files).to_dict()["inventory"]
    return {key: inventory[key] for key in ("functions", "http_routes", "schema", "index_map", "crons")}


@pytest.fixture
def changed(personas, tmp_path):
    repository = RepositoryFactory(team=personas.team, name="acme/chat")
    base = make_audit(repository, findings=0, inventory_data=engine_inventory(tmp_path / "a", BEFORE))
    head = make_audit(repository, findings=0, inventory_data=engine_inventory(tmp_path / "b", AFTER))
    return repository, base, head


def test_it_lists_the_unsafe_changes_between_two_audits(changed):
    _, base, head = changed
    safety = diff_audits(base, head).deploy_safety
    assert safety.available
    assert [(item.rule, item.subject) for item in safety.items] == [
        ("compat/field-type-narrowed", "users.role"),
        ("compat/required-field-added", "users.plan"),
        ("compat/public-function-removed", "users:list"),
    ]
    assert diff_audits(base, base).deploy_safety.empty


def test_it_shows_a_deploy_safety_section_on_the_history_page(client, personas, changed):
    repository, base, head = changed
    client.force_login(personas.viewer)
    body = client.get(reverse("reports:history", args=[repository.pk]), {"base": base.pk, "head": head.pk}).content
    text = body.decode()
    assert "Deploy safety" in text
    assert "compat/required-field-added" in text and "users.plan" in text and "users:list" in text


def test_it_says_when_an_older_inventory_cannot_be_compared(client, personas):
    repository = RepositoryFactory(team=personas.team)
    base, head = make_audit(repository, findings=0), make_audit(repository, findings=0)  # inventories without shapes
    safety = diff_audits(base, head).deploy_safety
    assert not safety.available and safety.empty
    client.force_login(personas.viewer)
    text = client.get(reverse("reports:history", args=[repository.pk])).content.decode()
    assert "Deploy safety" in text and "Not available" in text


def test_it_lists_deploy_safety_in_the_digest(personas, tmp_path, settings):
    from datetime import timedelta

    from notifications.digest import build_period
    from notifications.mail import render_digest
    from notifications.models import DigestSubscription
    from projects.models import InventorySnapshot
    from tests.automation import now, store

    settings.SITE_URL = "https://auditor.example.com"
    repository = RepositoryFactory(team=personas.team, name="acme/chat")
    base = store(repository, finished_at=now() - timedelta(days=2))
    head = store(repository, finished_at=now() - timedelta(hours=1))
    for audit, files in ((base, BEFORE), (head, AFTER)):
        inventory = engine_inventory(tmp_path / str(audit.pk), files)
        InventorySnapshot.objects.filter(audit=audit).update(functions=inventory["functions"],
                                                             schema=inventory["schema"])
    subscription = DigestSubscription.objects.create(user=personas.member, team=personas.team)
    digest = build_period(subscription, now() - timedelta(days=1), now())
    [section] = digest.sections
    assert [item.subject for item in section.deploy_safety] == ["users.role", "users.plan", "users:list"]
    message = render_digest(digest)
    html = message.alternatives[0][0] if isinstance(message.alternatives[0], tuple) else message.alternatives[0].content
    assert "Deploy safety (3):" in message.body
    assert "[error] compat/required-field-added users.plan" in message.body
    assert "Deploy safety" in html and "users:list" in html
