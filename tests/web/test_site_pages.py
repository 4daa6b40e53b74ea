"""The rest of the site: API docs served offline, API token expiry, copy buttons."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


def test_it_serves_swagger_ui_from_the_sidecar_with_its_script_apart(client, personas):
    client.force_login(personas.viewer)
    page = client.get(reverse("api_docs_interactive")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "<script>" not in page  # nothing inline, nothing remote
    script = client.get(reverse("api_docs_interactive") + "?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert reverse("api_docs_interactive") in client.get(reverse("api_docs")).content.decode()


def test_it_describes_each_operation_for_people(client, personas):
    client.force_login(personas.viewer)
    schema = client.get(reverse("api_schema") + "?format=json").json()
    assert "Authorization: Bearer" in schema["info"]["description"]
    operations = {op["operationId"]: op for item in schema["paths"].values() for op in item.values()
                  if isinstance(op, dict) and "operationId" in op}
    from api.schema import DESCRIPTIONS

    for operation_id in DESCRIPTIONS:
        description = operations[operation_id].get("description", "")
        assert len(description.split()) >= 8, f"{operation_id} has no description for people"
    assert [op_id for op_id, op in operations.items() if not op.get("description")] == []
    # The list's one line per operation, beside its path.
    assert [op_id for op_id, op in operations.items() if len(op.get("summary", "").split()) < 2] == []


def test_it_issues_tokens_with_an_optional_expiry_and_refuses_expired_ones(client, personas):
    client.force_login(personas.viewer)
    url = reverse("api_tokens")
    response = client.post(url, {"name": "CI", "expires": "30"})
    raw = response.context["new_token"]
    token = ApiToken.objects.get(name="CI")
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert 'data-copy-target="new-token-value"' in response.content.decode()
    client.logout()
    api = reverse("api_projects")
    assert client.get(api, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    refused = client.get(api, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    client.force_login(personas.viewer)
    assert "expired " in client.get(url).content.decode()
    never = client.post(url, {"name": "Forever", "expires": ""})
    assert never.status_code == 200 and ApiToken.objects.get(name="Forever").expires_at is None
    bad = client.post(url, {"name": "Odd", "expires": "7"})
    assert bad.status_code == 400 and "Pick when the token expires" in bad.content.decode()
    assert not ApiToken.objects.filter(name="Odd").exists()


def test_it_offers_copy_buttons_for_the_badge_snippet_and_webhook_secret(client, personas):
    repository = RepositoryFactory(team=personas.team)
    client.force_login(personas.admin)
    gate = client.get(reverse("gate_settings", args=[repository.pk])).content.decode()
    assert '<pre id="badge-snippet">' in gate and 'data-copy-target="badge-snippet"' in gate
    # The webhook's URL and secret are made by a button (a page that reads never writes).
    client.post(reverse("github_webhook_rotate", args=[repository.pk]))
    hooks = client.get(reverse("webhook_settings", args=[repository.pk])).content.decode()
    assert 'id="hook-secret"' in hooks and 'data-copy-target="hook-secret"' in hooks


SIGNED_OUT_ACCOUNT_PAGES = ("account_login", "account_signup", "account_reset_password",
                            "account_reset_password_done")
SIGNED_IN_ACCOUNT_PAGES = ("account_email", "account_change_password")


def _card(page: str) -> str:
    """The text of the page's centred card, or '' when it has none."""
    match = re.search(r'<main class="container">\s*(?:<ul class="messages">.*?</ul>\s*)?<div class="narrow">(.*)'
                      r'</div>\s*</main>', page, re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize("name", SIGNED_OUT_ACCOUNT_PAGES + SIGNED_IN_ACCOUNT_PAGES)
def test_it_shows_allauths_pages_as_a_card_in_the_sites_layout(client, personas, name):
    if name in SIGNED_IN_ACCOUNT_PAGES:
        client.force_login(personas.viewer)
    page = client.get(reverse(name)).content.decode()
    assert '<header class="topbar">' in page and 'href="/static/favicon.svg"' in page
    assert re.search(r"<title>[^<]+ · Convex Auditor</title>", page)
    card = _card(page)
    assert "<h1>" in card, f"{name}: allauth's content is not inside the site's card"
    if name != "account_reset_password_done":
        assert "<form" in card
    if name in SIGNED_IN_ACCOUNT_PAGES:  # reached from the top bar's address, and from each other
        assert f'<a class="email" href="{reverse("account_change_password")}"' in page
        assert f'href="{reverse("account_email")}"' in card and f'href="{reverse("account_change_password")}"' in card


def test_it_serves_the_favicon(client):
    from django.contrib.staticfiles import finders

    path = finders.find("favicon.svg")
    assert path and "<svg" in open(path).read()  # noqa: SIM115
