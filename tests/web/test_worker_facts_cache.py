"""The worker's facts cache (beside the clone cache) and its memory safety net."""

from __future__ import annotations

import pytest

from projects import pipeline
from projects.models import Audit
from tests.web.test_pipeline import run
from tests.web.test_settings import PRODUCTION, manage


def test_it_puts_the_workers_facts_cache_beside_the_clone_cache(settings, tmp_path):
    settings.AUDITOR_CLONE_DIR = tmp_path / "clones"
    settings.AUDITOR_FACTS_CACHE_DIR = ""
    assert pipeline.facts_cache().directory == tmp_path / "facts-cache"


def test_it_uses_the_configured_facts_cache_folder_and_memory_bound(settings, tmp_path):
    settings.AUDITOR_FACTS_CACHE_DIR = str(tmp_path / "elsewhere")
    settings.AUDITOR_FACTS_CACHE_MEMORY_MB = 3
    cache = pipeline.facts_cache()
    assert cache.directory == tmp_path / "elsewhere"
    assert cache._memory.maxsize == 3 * 1024 * 1024


def test_it_keeps_one_facts_cache_per_worker_process(settings, tmp_path):
    settings.AUDITOR_CLONE_DIR = tmp_path / "clones"
    assert pipeline.facts_cache() is pipeline.facts_cache()
    settings.AUDITOR_CLONE_DIR = tmp_path / "other" / "clones"
    assert pipeline.facts_cache().directory == tmp_path / "other" / "facts-cache"


@pytest.mark.django_db
def test_it_audits_through_the_worker_cache(repository, settings, tmp_path):
    settings.AUDITOR_CLONE_DIR = tmp_path / "clones"
    settings.AUDITOR_FACTS_CACHE_DIR = ""
    cache = pipeline.facts_cache()
    audit = run(repository)
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert cache.misses >= audit.stats["parsed"] > 0
    assert audit.stats["cache"]["misses"] == cache.misses


def code_of(setting: str) -> str:
    return f"from django.conf import settings; print(repr(settings.{setting}))"


def test_it_sets_the_workers_memory_safety_net_from_the_environment():
    default = manage("shell", "-c", code_of("CELERY_WORKER_MAX_MEMORY_PER_CHILD"), **PRODUCTION)
    assert default.stdout.strip().splitlines()[-1] == str(1024 * 1024)
    set_ = manage("shell", "-c", code_of("CELERY_WORKER_MAX_MEMORY_PER_CHILD"), **PRODUCTION,
                  WORKER_MAX_MEMORY_PER_CHILD_MB="300")
    assert set_.stdout.strip().splitlines()[-1] == str(300 * 1024)
    off = manage("shell", "-c", code_of("CELERY_WORKER_MAX_MEMORY_PER_CHILD"), **PRODUCTION,
                 WORKER_MAX_MEMORY_PER_CHILD_MB="0")
    assert off.stdout.strip().splitlines()[-1] == "None"


@pytest.mark.parametrize(("name", "value"), [("WORKER_MAX_MEMORY_PER_CHILD_MB", "1GB"),
                                             ("WORKER_MAX_MEMORY_PER_CHILD_MB", "-5"),
                                             ("AUDITOR_FACTS_CACHE_MEMORY_MB", "lots")])
def test_it_refuses_a_memory_setting_it_cannot_parse(name, value):
    result = manage("check", **{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert name in result.stderr
