"""Settings come from the environment, strictly; production settings pass `check --deploy`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "SECRET_KEY": "x7Qp2-mV9#kL4$wZ8!rT6^yN3&bH5*cJ1@fD0%gS2+eA9=uK4~iO7",
    "AUDITOR_TOKEN_KEY": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "auditor.example.com",
    "DATABASE_URL": "sqlite:////tmp/auditor-deploy-check.sqlite3",
    "SITE_URL": "https://auditor.example.com",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DJANGO_", "DEBUG", "SECRET_KEY", "AUDITOR_", "REDIS_URL", "DATABASE_URL", "CELERY_", "SITE_URL", "PORT")
        )
    }
    clean["DJANGO_SETTINGS_MODULE"] = os.environ.get("DJANGO_SETTINGS_MODULE", "auditor.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_passes_the_deploy_check_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_in_production():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_it_refuses_to_start_without_a_token_key_in_production():
    env = dict(PRODUCTION)
    del env["AUDITOR_TOKEN_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "AUDITOR_TOKEN_KEY must be set" in result.stderr


@pytest.mark.parametrize("value", ["flase", "2", "enabled"])
def test_it_rejects_a_boolean_it_cannot_parse(value):
    result = manage("check", **{**PRODUCTION, "DEBUG": value})
    assert result.returncode != 0
    assert f"DEBUG={value!r} is not a boolean" in result.stderr


def test_it_runs_in_development_with_nothing_set():
    result = manage("check", DEBUG="1", DATABASE_URL="sqlite:////tmp/auditor-dev-check.sqlite3")
    assert result.returncode == 0, result.stderr


def test_it_uses_redis_only_when_redis_url_is_set():
    code = "from django.conf import settings; print(settings.CELERY_BROKER_URL)"
    dev = {"DEBUG": "1", "DATABASE_URL": "sqlite:////tmp/auditor-dev-check.sqlite3"}
    result = manage("shell", "-c", code, **dev)
    broker = result.stdout.strip().splitlines()[-1]
    assert broker.startswith("sqla+sqlite:///") and broker.endswith("celery-broker.sqlite")
    result = manage("shell", "-c", code, **dev, REDIS_URL="redis://127.0.0.1:6379/5")
    assert result.stdout.strip().splitlines()[-1] == "redis://127.0.0.1:6379/5"


def test_it_encrypts_tokens_with_the_configured_key(settings):
    from projects import crypto

    key = Fernet.generate_key().decode()
    settings.AUDITOR_TOKEN_KEYS = [key]
    ciphertext = crypto.encrypt("ghp_abc")
    assert Fernet(key.encode()).decrypt(ciphertext.encode()) == b"ghp_abc"
    # Rotation: a new first key encrypts, the old one still decrypts.
    settings.AUDITOR_TOKEN_KEYS = [Fernet.generate_key().decode(), key]
    assert crypto.decrypt(ciphertext) == "ghp_abc"


def test_it_collects_and_serves_hashed_static_files_in_production(tmp_path):
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path / "static")}
    result = manage("collectstatic", "--noinput", **env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").is_file()
    page = "from django.template.loader import render_to_string; print(render_to_string('base.html'))"
    result = manage("shell", "-c", page, **env)
    assert result.returncode == 0, result.stderr
    assert re.search(r"/static/css/app\.[0-9a-f]{12}\.css", result.stdout)


def test_it_enables_github_login_only_with_both_credentials():
    code = "from django.conf import settings as s; print('allauth.socialaccount.providers.github' in s.INSTALLED_APPS)"
    dev = {"DEBUG": "1", "DATABASE_URL": "sqlite:////tmp/auditor-dev-check.sqlite3"}
    assert manage("shell", "-c", code, **dev).stdout.strip().endswith("False")
    both = manage("shell", "-c", code, **dev, GITHUB_CLIENT_ID="Iv1.abc", GITHUB_CLIENT_SECRET="s3cret")
    assert both.stdout.strip().endswith("True"), both.stderr
    half = manage("check", **dev, GITHUB_CLIENT_ID="Iv1.abc")
    assert half.returncode != 0
    assert "Set both GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET" in half.stderr


def test_it_rejects_a_token_key_that_is_not_a_fernet_key():
    result = manage("check", **{**PRODUCTION, "AUDITOR_TOKEN_KEY": "not-a-key"})
    assert result.returncode != 0
    assert "AUDITOR_TOKEN_KEY holds a value that is not a Fernet key" in result.stderr


def test_it_requires_the_site_url_in_production():
    result = manage("check", **{**PRODUCTION, "SITE_URL": ""})
    assert result.returncode != 0
    assert "SITE_URL must be set when DEBUG is off" in result.stderr
    assert "must start with http" in manage("check", **{**PRODUCTION, "SITE_URL": "auditor.example.com"}).stderr


def site_url_of_make_run(*make_args: str, **env: str) -> str:
    """The SITE_URL `make run` gives the processes it starts (`make site-url` shares its settings)."""
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", *make_args, "site-url"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**{k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT")}, **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_it_points_links_at_the_port_make_run_serves_on():
    assert site_url_of_make_run(PORT="9100") == "http://127.0.0.1:9100"
    assert site_url_of_make_run("PORT=9200") == "http://127.0.0.1:9200"
    assert site_url_of_make_run() == "http://127.0.0.1:8000"
    assert site_url_of_make_run(PORT="9100", SITE_URL="https://audit.example.com") == "https://audit.example.com"


def test_it_names_the_release_from_the_environment_or_the_checkout():
    script = ["shell", "-c", "from django.conf import settings; print(settings.AUDITOR_RELEASE)"]
    given = manage(*script, **{**PRODUCTION, "AUDITOR_RELEASE": "v1-abc"})
    assert given.stdout.strip().splitlines()[-1] == "v1-abc"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert manage(*script, **PRODUCTION).stdout.strip().splitlines()[-1] == head
