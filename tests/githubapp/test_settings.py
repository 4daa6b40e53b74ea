"""The App's settings from the environment: all or none, strictly parsed."""

from __future__ import annotations

from tests.githubapp.conftest import private_key_pem
from tests.web.test_settings import PRODUCTION, manage

APP = {
    "GITHUB_APP_ID": "424242",
    "GITHUB_APP_SLUG": "convex-auditor",
    "GITHUB_APP_WEBHOOK_SECRET": "s3cret",
}


def test_it_starts_with_the_whole_app_configured_from_a_key_file(tmp_path):
    key = tmp_path / "app.pem"
    key.write_text(private_key_pem())
    result = manage("check", **PRODUCTION, **APP, GITHUB_APP_PRIVATE_KEY_FILE=str(key),
                    GITHUB_API_URL="https://github.example.com/api/v3")
    assert result.returncode == 0, result.stderr


def test_it_refuses_half_an_app():
    result = manage("check", **PRODUCTION, GITHUB_APP_ID="424242")
    assert result.returncode != 0
    assert "GITHUB_APP_SLUG, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_WEBHOOK_SECRET" in result.stderr


def test_it_refuses_a_key_that_is_not_pem_a_missing_key_file_and_a_bad_id(tmp_path):
    not_pem = manage("check", **PRODUCTION, **APP, GITHUB_APP_PRIVATE_KEY="hunter2")
    assert not_pem.returncode != 0 and "is not a PEM private key" in not_pem.stderr
    missing = manage("check", **PRODUCTION, **APP, GITHUB_APP_PRIVATE_KEY_FILE=str(tmp_path / "none.pem"))
    assert missing.returncode != 0 and "GITHUB_APP_PRIVATE_KEY_FILE cannot be read" in missing.stderr
    pem = private_key_pem()
    bad_id = manage("check", **PRODUCTION, **{**APP, "GITHUB_APP_ID": "my-app"}, GITHUB_APP_PRIVATE_KEY=pem)
    assert bad_id.returncode != 0 and "is not the App's numeric id" in bad_id.stderr
    bad_url = manage("check", **PRODUCTION, GITHUB_API_URL="api.github.com")
    assert bad_url.returncode != 0 and "GITHUB_API_URL" in bad_url.stderr
