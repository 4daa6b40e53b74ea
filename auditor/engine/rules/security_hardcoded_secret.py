"""Credential written into the code.

What it flags:
    A string literal (or the literal text of a template) in project code, Convex folder or
    frontend, that holds a credential: a Stripe secret or restricted key (`sk_live_...`,
    `sk_test_...`, `rk_live_...`), an OpenAI/Anthropic-style key (`sk-...`, `sk-proj-...`,
    `sk-ant-...`), an AWS access key id (`AKIA...`), a GitHub token (`ghp_...`,
    `github_pat_...`), a Slack token (`xoxb-...`), a JSON Web Token, or an `Authorization`
    value `Bearer <literal token>`. The finding sits at the string.

    Only whole tokens of realistic length and mix count: prose that mentions "sk-", a prefix
    checked with `startsWith("sk_live_")`, placeholders (`sk_live_xxxx`, `<your key>`) and
    test files are not flagged, nor a JWT whose payload declares the public `anon` role
    (Supabase's browser key).

Why it matters:
    Code is copied to every clone, CI log, bundle and fork; a key in it is a key published.
    In frontend code it ships to every visitor's browser. Keys in git history stay valid until
    rotated.

Example:
    const stripe = new Stripe("sk_live_51H8xYzAbCdEfGhIjKlMnOpQr");

Fix:
    Rotate the key now, then read it from the environment:
    `npx convex env set STRIPE_SECRET_KEY ...` and `process.env.STRIPE_SECRET_KEY` in an action.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

from auditor.engine.derive import strings_text
from auditor.engine.model import ProjectFacts
from auditor.engine.rules.base import Finding, RuleContext, RuleInfo

RULE = RuleInfo("security/hardcoded-secret", "error", "Hardcoded secret")

_EDGE = r"(?<![A-Za-z0-9_\-])"
_END = r"(?![A-Za-z0-9_\-])"
# (what the credential is, texts one of which every match of it holds, its pattern)
PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("a Stripe secret key", ("sk_live_", "sk_test_", "rk_live_", "rk_test_"),
     re.compile(_EDGE + r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}" + _END)),
    ("an API secret key", ("sk-",),
     re.compile(_EDGE + r"sk-(?:proj-|ant-(?:api\d\d-)?|svcacct-)?[A-Za-z0-9_\-]{20,}" + _END)),
    ("an AWS access key id", ("AKIA", "ASIA"), re.compile(_EDGE + r"(?:AKIA|ASIA)[0-9A-Z]{16}" + _END)),
    ("a GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
     re.compile(_EDGE + r"(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})" + _END)),
    ("a Slack token", ("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"),
     re.compile(_EDGE + r"xox[abposr]-[A-Za-z0-9\-]{10,}" + _END)),
    ("a JSON Web Token", ("eyJ",),
     re.compile(_EDGE + r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{16,}" + _END)),
    ("a bearer token", ("Bearer",), re.compile(r"^\s*Bearer\s+([A-Za-z0-9_\-.=~+/]{16,})\s*$")),
)
PLACEHOLDER = re.compile(r"x{5,}|X{5,}|\*{3,}|\.\.\.|your|example|placeholder|dummy|redacted|fake|<|>|1234567890",
                         re.IGNORECASE)
TEST_PATH = re.compile(r"(^|/)(__tests__|__mocks__|tests?|e2e|fixtures?)/|\.(test|spec|stories)\.[cm]?[jt]sx?$")


# The texts some pattern's match holds: a string with none of them holds no credential (most
# strings of a project). Plain substring searches say so three times faster than one regular
# expression of them all (about 10 ms against 34 over a real app's 640 KB of strings).
_PREFIXES = tuple(prefix for _, prefixes, _ in PATTERNS for prefix in prefixes)


def _holds_a_prefix(text: str) -> bool:
    return any(prefix in text for prefix in _PREFIXES)


def secret_kind(value: str) -> str | None:
    """What credential the string holds, or None."""
    if not _holds_a_prefix(value):
        return None
    for kind, _, pattern in PATTERNS:
        for match in pattern.finditer(value):
            token = match.group(match.lastindex or 0)
            if _looks_real(token):
                return kind
    return None


def _looks_real(token: str) -> bool:
    if PLACEHOLDER.search(token) or "${}" in token or _public_jwt(token):
        return False
    body = re.sub(r"^[a-z]{2,3}[_\-](?:live_|test_|proj-|ant-)?", "", token)
    has_digit = any(c.isdigit() for c in body)
    has_alpha = any(c.isalpha() for c in body)
    return has_digit and has_alpha and len(set(body)) >= 8


def _public_jwt(token: str) -> bool:
    """A JWT whose payload says it is a public key (Supabase's anon key is meant for browsers)."""
    if not token.startswith("eyJ") or token.count(".") != 2:
        return False
    payload = token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(claims, dict) and claims.get("role") == "anon"


def check(project: ProjectFacts) -> Iterator[Finding]:
    report = RuleContext(RULE, project)
    for module in [*project.modules.values(), *project.frontend.values()]:
        if TEST_PATH.search(module.path) or not _holds_a_prefix(strings_text(project, module)):
            continue  # a test file, or none of the file's strings holds a credential's prefix
        for string in module.strings:
            texts = [value for part, value in string.parts if part == "text"] if string.is_template else [string.value]
            kind = next((found for found in map(secret_kind, texts) if found), None)
            if kind is None:
                continue
            yield report.at(
                string.loc,
                f"This string holds what looks like {kind}. Secrets in code are published with it: rotate the "
                "key and read it from an environment variable (`npx convex env set`).",
                enclosing=module.module is not None,  # frontend files hold no function bodies
            )
