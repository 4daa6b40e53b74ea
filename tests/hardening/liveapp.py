"""The app served for real, from subprocesses: a database of its own, gunicorn on 127.0.0.1.

Used by the API fuzzing and the load test, which must talk to the app over a socket from another
process. The database is a SQLite file, or a PostgreSQL database of its own when DATABASE_URL
names PostgreSQL (created and dropped here; never the test database).
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import requests

from tests.automation import free_port

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres", "psql")) else None


def database_url(name: str, folder: Path) -> str:
    """A fresh database: `name` on the PostgreSQL server of DATABASE_URL, else a SQLite file."""
    base = postgres_url()
    if base is None:
        return f"sqlite:///{folder / (name + '.sqlite3')}"
    parts = urlsplit(base)
    admin = parts._replace(path="/postgres").geturl()
    import psycopg

    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def drop_database(url: str) -> None:
    if not url.startswith(("postgres", "psql")):
        return
    parts = urlsplit(url)
    import psycopg

    admin = parts._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with contextlib.suppress(Exception), psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parts.path.strip("/")}" WITH (FORCE)')


def app_environment(db_url: str, folder: Path, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off), on plain http over loopback."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "auditor.settings",
            "DEBUG": "0",
            "SECRET_KEY": "hardening-" + "s" * 50,
            "AUDITOR_TOKEN_KEY": base64.urlsafe_b64encode(b"h" * 32).decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "http://127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": db_url,
            "AUDITOR_CLONE_DIR": str(folder / "clones"),
            "EMAIL_FILE_PATH": str(folder / "emails"),
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    completed = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if completed.returncode != 0:
        output = f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{output}")
    return completed.stdout


def run_script(env: dict[str, str], script: str | Path, timeout: float = 900) -> str:
    """Python (a string, or a file) run with Django set up against the app's database; returns its stdout."""
    prelude = "import django; django.setup()\n"
    if isinstance(script, Path):
        script = f"import runpy; runpy.run_path({str(script)!r}, run_name='__main__')"
    completed = subprocess.run(
        [PYTHON, "-c", prelude + script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if completed.returncode != 0:
        raise RuntimeError(f"script failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return completed.stdout


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int = 2, threads: int = 1, log: Path | None = None) -> Iterator[str]:
    """Serve the app on 127.0.0.1; yields the base URL. collectstatic is the caller's business."""
    port = free_port()
    command = [GUNICORN, "auditor.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers),
               "--threads", str(threads), "--timeout", "120", "--graceful-timeout", "5", "--log-level", "warning"]
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}")
            try:
                requests.get(base + "/accounts/login/", timeout=2)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not answer within 60 s") from None
                time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log:
            output.close()  # type: ignore[union-attr]
