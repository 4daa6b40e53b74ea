"""Secrets stay secret: at rest, in logs, pages, emails, exports and Celery messages; and the
front door: sign-in lock-out, secure cookies in production, a Content-Security-Policy.

Every place a secret could surface is one check; a secret found there is one leak.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from django.core import mail
from django.db import connection
from django.test import Client

from api.models import ApiToken
from notifications import services as digest_services
from notifications.models import DigestSubscription
from projects import after_audit, pipeline
from projects.models import Audit, Repository
from projects.tasks import audit_repository
from tests.factories import PASSWORD, AuditFactory, FindingFactory, InventorySnapshotFactory, RepositoryFactory
from tests.hardening.figures import record
from webhooks.models import GitHubWebhook, OutgoingWebhook

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "ghp_HardeningSecretToken1234567890abcdefXYZ"
HOOK_SECRET = "whsec_HardeningHookSecret_0987654321zyxw"
GITHUB_SECRET = "ghwh_HardeningGitHubSecret_5555aaaa"
SECRETS = (TOKEN, HOOK_SECRET, GITHUB_SECRET)

TALLY = {"checks": 0, "leaks": 0}


def check(where: str, text: str | bytes, found: list[str]) -> None:
    """One place checked for every secret (also base64-encoded, as in an Authorization header)."""
    TALLY["checks"] += 1
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for secret in SECRETS:
        forms = (secret, base64.b64encode(secret.encode()).decode()[:-4])
        if any(form in text for form in forms):
            TALLY["leaks"] += 1
            found.append(f"{where}: {secret[:8]}…")


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    record("secrets", dict(TALLY))


@pytest.fixture
def secret_repository(personas, allow_local_repos):
    repository = RepositoryFactory(team=personas.team, name="acme/private")
    repository.set_token(TOKEN)
    repository.save()
    hook = OutgoingWebhook(repository=repository, url="https://hooks.example.com/gate")
    hook.set_secret(HOOK_SECRET)
    hook.save()
    github = GitHubWebhook(repository=repository)
    github.set_secret(GITHUB_SECRET)
    github.save()
    return repository


# --- at rest ----------------------------------------------------------------------------------------


def test_it_stores_tokens_and_webhook_secrets_encrypted(secret_repository):
    found: list[str] = []
    tables = [Repository._meta.db_table, OutgoingWebhook._meta.db_table, GitHubWebhook._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = cursor.fetchall()
            assert rows, table
            check(f"raw rows of {table}", repr(rows), found)
        cursor.execute(f"SELECT token_encrypted FROM {connection.ops.quote_name(tables[0])} WHERE id = %s",
                       [secret_repository.pk])
        (ciphertext,) = cursor.fetchone()
    assert ciphertext.startswith("gAAAA"), "not a Fernet token"
    assert Repository.objects.get(pk=secret_repository.pk).get_token() == TOKEN
    # API tokens: only a hash is kept.
    _token, raw = ApiToken.issue(secret_repository.team.memberships.first().user, "ci")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(ApiToken._meta.db_table)}")
        rows = repr(cursor.fetchall())
    TALLY["checks"] += 1
    if raw in rows:
        TALLY["leaks"] += 1
        found.append("API token stored in clear")
    assert not found, found


# --- a failing clone with a token ------------------------------------------------------------------


class _Refuse(BaseHTTPRequestHandler):
    """A git host that wants credentials and refuses the ones it gets (and remembers them)."""

    seen: list[str] = []

    def do_GET(self):
        header = self.headers.get("Authorization", "")
        type(self).seen.append(header)
        self.send_response(401 if not header else 403)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def refusing_host():
    _Refuse.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/acme/private.git"
    server.shutdown()
    server.server_close()


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name}: {text} {record.args!r}")


def test_it_keeps_the_token_out_of_logs_reasons_and_task_messages_of_a_failing_clone(
    secret_repository, refusing_host, capfd, django_capture_on_commit_callbacks
):
    secret_repository.url = refusing_host
    secret_repository.save()
    handler = _Everything()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "git", "celery", "projects", "django")}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    published: list[str] = []

    def on_publish(sender=None, body=None, headers=None, **kwargs):
        published.append(json.dumps({"task": sender, "body": body, "headers": headers}, default=repr))

    before_task_publish.connect(on_publish, weak=False)
    from auditor.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        # Queued as a user would (the message really goes to the broker), then run here.
        with django_capture_on_commit_callbacks(execute=True):
            audit = pipeline.queue_audit(secret_repository, Audit.Trigger.MANUAL)
        audit_repository(secret_repository.pk, Audit.Trigger.MANUAL, False, audit_id=audit.pk)
    finally:
        app.conf.task_always_eager = eager
        before_task_publish.disconnect(on_publish)
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    audit.refresh_from_db()
    out, err = capfd.readouterr()

    # The token really went to the host (in the git credential exchange), so it was in play.
    sent = [base64.b64decode(h.split(" ", 1)[1]).decode() for h in _Refuse.seen if h.startswith("Basic ")]
    assert any(TOKEN in s for s in sent), _Refuse.seen
    assert audit.state == Audit.State.FAILED and "Authentication failed" in audit.failure_reason

    found: list[str] = []
    check("failure reason", audit.failure_reason, found)
    check("log records", "\n".join(handler.lines), found)
    check("stdout/stderr", out + err, found)
    assert published, "no Celery message was published"
    check("Celery messages", "\n".join(published), found)
    check("clone folder's git config", _read(pipeline.checkout_dir(secret_repository) / ".git" / "config"), found)
    assert not found, found
    # Task arguments are ids and flags only.
    body = json.loads(published[0])["body"]
    args, kwargs = body[0], body[1]
    assert all(isinstance(a, int | str | bool) for a in args) and set(kwargs) == {"audit_id"}


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


# --- pages, error pages, emails, exports ------------------------------------------------------------


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_it_keeps_secrets_out_of_pages_error_pages_exports_and_the_api(secret_repository, personas, settings):
    audit = AuditFactory(repository=secret_repository)
    InventorySnapshotFactory(audit=audit)
    FindingFactory(audit=audit)
    Repository.objects.filter(pk=secret_repository.pk).update(last_audit=audit)
    owner = Client()
    owner.force_login(personas.owner)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(personas.owner, 'ci')[1]}")
    found: list[str] = []
    pk, audit_pk = secret_repository.pk, audit.pk
    pages = [
        "/", "/projects/", f"/repositories/{pk}/settings/", f"/projects/{pk}/history/", f"/audits/{audit_pk}/",
        f"/audits/{audit_pk}/schema/", f"/audits/{audit_pk}/endpoints/", f"/repositories/{pk}/gate/",
        f"/repositories/{pk}/schedule/", f"/repositories/{pk}/ignore-rules/",
    ]
    for url in pages:
        response = owner.get(url, follow=True)
        assert response.status_code == 200, url
        check(f"page {url}", _body(response), found)
    for fmt in ("csv", "json", "sarif"):
        response = owner.get(f"/audits/{audit_pk}/export.{fmt}")
        assert response.status_code == 200
        check(f"export {fmt}", _body(response), found)
    for url in (f"/api/v1/projects/{pk}/", "/api/v1/projects/", f"/api/v1/audits/{audit_pk}/",
                f"/api/v1/audits/{audit_pk}/findings/", f"/api/v1/projects/{pk}/gate/"):
        response = api.get(url)
        assert response.status_code == 200, url
        check(f"API {url}", response.content, found)

    # A form sent back with an error never echoes the token it was given.
    response = owner.post(f"/repositories/{pk}/settings/", {"url": "ftp://nowhere/x.git", "branch": "main",
                                                           "token": TOKEN, "name": "acme/private"})
    assert response.status_code == 200 and b"errorlist" in response.content
    check("repository form with an error", response.content, found)
    response = owner.post("/repositories/add/", {"url": "https://10.0.0.1/acme/x.git", "token": TOKEN})
    check("add form with an error", response.content, found)

    # A crash while the token is in memory: the production 500 page shows none of it.
    settings.DEBUG = False
    crashing = Client(raise_request_exception=False)
    crashing.force_login(personas.owner)
    from projects import gitops

    def explode(url, token, branch=None):
        raise RuntimeError(f"boom while holding {token}")

    original, gitops.probe_remote = gitops.probe_remote, explode
    try:
        response = crashing.post(f"/repositories/{pk}/settings/", {"url": "https://github.com/acme/x.git",
                                                                  "branch": "main", "name": "acme/private"})
    finally:
        gitops.probe_remote = original
    assert response.status_code == 500
    check("500 page", response.content, found)
    assert not found, found


def test_it_keeps_secrets_out_of_emails(secret_repository, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    audit = AuditFactory(repository=secret_repository)
    FindingFactory(audit=audit, status="new")
    for membership in personas.team.memberships.all():
        subscription = digest_services.subscription_for(membership)
        DigestSubscription.objects.filter(pk=subscription.pk).update(enabled=True, frequency="immediate")
    for delivery in digest_services.deliveries_for_audit(audit):
        digest_services.send_delivery(delivery)
    # Invitations too.
    owner = Client()
    owner.force_login(personas.owner)
    owner.post(f"/teams/{personas.team.pk}/invite/", {"email": "new@acme.test", "role": "member"})
    assert mail.outbox, "no email was sent"
    found: list[str] = []
    for message in mail.outbox:
        parts = [message.subject, message.body] + [str(alt[0]) for alt in getattr(message, "alternatives", [])]
        check(f"email {message.subject!r}", "\n".join(parts), found)
    assert not found, found


# --- sign-in lock-out ----------------------------------------------------------------------------------


def test_it_locks_out_a_sign_in_after_repeated_failures(personas, settings):
    from axes.models import AccessAttempt
    from django.core.cache import cache

    cache.clear()  # allauth keeps its own per-process counters there
    limit = settings.AXES_FAILURE_LIMIT
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = []
    for _ in range(limit):
        response = client.post("/accounts/login/", {"login": personas.member.email, "password": "wrong guess"})
        statuses.append(response.status_code)
    # The lock is axes' (in the database), not allauth's per-process counters: clear those.
    cache.clear()
    assert AccessAttempt.objects.filter(username=personas.member.email, failures_since_start__gte=limit).exists()
    # The right password no longer opens the door, from this address, for this account.
    locked = client.post("/accounts/login/", {"login": personas.member.email, "password": PASSWORD})
    TALLY["checks"] += 1
    ok = locked.status_code != 302 and "_auth_user_id" not in client.session
    if not ok:
        TALLY["leaks"] += 1
    assert ok, (statuses, locked.status_code)
    # Another address is not locked out, and signs in.
    other = Client(REMOTE_ADDR="198.51.100.9")
    response = other.post("/accounts/login/", {"login": personas.member.email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in other.session


# --- production settings ----------------------------------------------------------------------------


def test_it_makes_cookies_secure_and_sets_a_policy_in_production_settings():
    env = {
        key: value for key, value in os.environ.items()
        if key not in ("DEBUG", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")
    }
    env.update({"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "auditor.example.com",
                "SITE_URL": "https://auditor.example.com",
                "AUDITOR_TOKEN_KEY": base64.urlsafe_b64encode(b"k" * 32).decode(),
                "DJANGO_SETTINGS_MODULE": "auditor.settings"})
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'DEBUG', 'TESTING', "
        "'X_FRAME_OPTIONS', 'AXES_FAILURE_LIMIT')} | {'csp': 'csp.middleware.CSPMiddleware' in s.MIDDLEWARE, "
        "'axes': 'axes.middleware.AxesMiddleware' in s.MIDDLEWARE}))"
    )
    completed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 0, completed.stderr
    values = json.loads(completed.stdout.strip().splitlines()[-1])
    expected = {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True,
                "SECURE_SSL_REDIRECT": True, "DEBUG": False, "TESTING": False, "X_FRAME_OPTIONS": "DENY",
                "csp": True, "axes": True}
    wrong = {k: values[k] for k in expected if values[k] != expected[k]}
    TALLY["checks"] += 1
    TALLY["leaks"] += len(wrong)
    assert not wrong, values
    assert values["SECURE_HSTS_SECONDS"] >= 31536000


def test_it_sends_a_content_security_policy_that_forbids_inline_script(personas):
    client = Client()
    client.force_login(personas.owner)
    found = []
    for url in ("/", "/projects/", "/accounts/login/", "/rules/", "/api/v1/docs/"):
        response = client.get(url)
        policy = response.get("Content-Security-Policy", "")
        TALLY["checks"] += 1
        script_src = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
        if not policy or "'unsafe-inline'" in script_src or "frame-ancestors 'none'" not in policy:
            TALLY["leaks"] += 1
            found.append(f"{url}: {policy!r}")
        # Every inline <script> on the page carries this response's nonce.
        html = response.content.decode()
        nonce = script_src.split("'nonce-", 1)[1].split("'", 1)[0] if "'nonce-" in script_src else None
        for chunk in html.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            if "src=" not in tag and (nonce is None or f'nonce="{nonce}"' not in tag):
                found.append(f"{url}: inline script without the nonce")
        for handler in (" onclick=", " onchange=", " onsubmit=", " onload="):
            if handler in html:
                found.append(f"{url}: inline event handler{handler}")
    assert not found, found


def test_it_sends_only_ids_to_celery_when_an_audit_finishes(secret_repository, personas,
                                                           django_capture_on_commit_callbacks):
    """A finished audit queues its after-audit chain, whose steps queue the outgoing webhook and the
    digests: every message carries ids."""
    for membership in personas.team.memberships.all():
        subscription = digest_services.subscription_for(membership)
        DigestSubscription.objects.filter(pk=subscription.pk).update(enabled=True, frequency="immediate")
    published: list[str] = []

    def on_publish(sender=None, body=None, headers=None, **kwargs):
        published.append(json.dumps({"task": sender, "body": body, "headers": headers}, default=repr))

    from auditor.celery import app

    before_task_publish.connect(on_publish, weak=False)
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        audit = AuditFactory(repository=secret_repository, state=Audit.State.ANALYSING, finished_at=None)
        with django_capture_on_commit_callbacks(execute=True):
            pipeline.store_results(audit, {"findings": [], "inventory": {}, "stats": {"files": 1}})
        # The chain's first message carries the later steps; a worker would run them in this order.
        for name in after_audit.STEPS:
            with django_capture_on_commit_callbacks(execute=True):
                app.tasks[name].apply(args=(audit.pk,))
    finally:
        app.conf.task_always_eager = eager
        before_task_publish.disconnect(on_publish)
    tasks = {json.loads(message)["task"] for message in published}
    assert any("webhook" in task for task in tasks), tasks
    found: list[str] = []
    check("Celery messages after an audit", "\n".join(published), found)
    assert not found, found
