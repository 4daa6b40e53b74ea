"""projects.tasks.resend_lost_audits: queued audits are sent again when Redis lost its messages."""

from __future__ import annotations

import os

import pytest
import redis
from django.conf import settings

from projects import pipeline
from projects.models import Audit
from projects.tasks import resend_lost_audits
from tests.factories import AuditFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


def test_it_does_nothing_without_redis(settings):
    settings.REDIS_URL = ""
    AuditFactory(state=Audit.State.QUEUED, started_at=None, finished_at=None)
    assert resend_lost_audits() == []


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (the second pass of .ci/run)")
def test_it_resends_the_queued_audits_once_after_redis_lost_its_data(monkeypatch):
    key = f"auditor:{settings.DATABASES['default']['NAME']}:broker-sentinel"
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(key)  # as after a restart of a Redis that keeps nothing on disk
    repository = RepositoryFactory()
    queued = AuditFactory(repository=repository, state=Audit.State.QUEUED, started_at=None, finished_at=None)
    AuditFactory(repository=repository, state=Audit.State.DONE)
    sent: list[int] = []
    monkeypatch.setattr(pipeline, "send", lambda audit: sent.append(audit.pk))

    assert resend_lost_audits() == [queued.pk] == sent
    assert resend_lost_audits() == []  # the sentinel is back: nothing was lost since
    client.delete(key)
    assert resend_lost_audits() == [queued.pk]
