"""With Redis unreachable the cache is simply empty (auditor/cache.py): pages render, sign-in
and sessions work, and nothing raises."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import RepositoryFactory
from tests.reportdata import make_audit

pytestmark = pytest.mark.django_db

UNREACHABLE = {
    "default": {
        "BACKEND": "auditor.cache.ForgivingRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = UNREACHABLE
    return settings


def test_it_serves_pages_and_keeps_the_session_while_redis_is_down(client, personas, redis_down, caplog):
    repository = RepositoryFactory(team=personas.team, url="https://github.com/acme/chat.git")
    audit = make_audit(repository, findings=5)
    client.force_login(personas.member)
    urls = [reverse("reports:projects"), reverse("reports:history", args=[repository.pk])]
    urls += [reverse(name, args=[audit.pk]) for name in ("reports:audit", "reports:schema", "reports:endpoints")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert personas.member.email in response.content.decode()  # still signed in
    assert "Redis did not answer" in caplog.text


def test_it_reads_a_miss_and_skips_writes_and_deletes(redis_down):
    assert cache.get("anything", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert "anything" not in cache
    cache.set("anything", 1)
    assert cache.add("anything", 1) is True  # as an empty cache would answer
    assert cache.delete("anything") is False


def test_it_signs_in_through_the_form_while_redis_is_down(client, personas, redis_down):
    personas.member.set_password("a-long-test-password-1")
    personas.member.save()
    answer = client.post(reverse("account_login"), {"login": personas.member.email,
                                                    "password": "a-long-test-password-1"})
    assert answer.status_code == 302
    assert client.get(reverse("reports:projects")).status_code == 200
