"""The Procfile (make run) and docker-compose.yml (production shape) say what they should."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_it_runs_web_worker_and_beat_from_the_procfile():
    processes = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip())
    assert set(processes) == {"web", "worker", "beat"}
    assert "127.0.0.1:$PORT" in processes["web"]
    assert "celery -A auditor.celery worker" in processes["worker"]
    assert "celery -A auditor.celery beat" in processes["beat"]


def test_it_composes_the_production_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web", "worker", "beat"}
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"
    assert services["web"]["command"][0] == "gunicorn"
    assert "django_celery_beat.schedulers:DatabaseScheduler" in services["beat"]["command"]
    # Scalable: nothing that pins a single container.
    assert not {"container_name", "ports"} & set(services["worker"])
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and env["REDIS_URL"].startswith("redis://")
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    # Only the worker reads the clones: the web shows the code lines stored with each audit.
    mounting = {name for name, service in services.items()
                if any(str(volume).startswith("clones:") for volume in service.get("volumes", []))}
    assert mounting == {"worker"}


def test_it_has_a_migration_for_every_model_change(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits non-zero on changes
    assert "No changes detected" in out.getvalue()
