"""Sign-in lock-out with django-axes, wired to allauth's e-mail login.

The lock-out lives in the database (axes' AccessAttempt), so it holds across gunicorn workers
and hosts, unlike allauth's own per-process cache limits.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


def login_username(request, credentials: dict | None) -> str | None:
    """The e-mail being tried: allauth authenticates with `email`, its form posts `login`."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login") or request.POST.get("email")
    return value.strip().lower() if isinstance(value, str) else None


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check before the real backends; sign-ins without a request (shell, tests) pass through."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
