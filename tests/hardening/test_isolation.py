"""Tenant isolation over every URL pattern of the project.

The patterns come from Django's resolver (recursively, the API and every app included), not from
a list typed here. Each one must be classified below; a new pattern that is not, or whose
parameters this file cannot fill, fails `test_it_classifies_and_fills_every_url_pattern`.

For each team-scoped pattern, a user of team B (the owner of B, so every role check passes)
requests team A's objects: by their real ids, by every sequential id around them, and mixed
with B's own parent objects (B's repository with A's ignore rule, say), with GET and POST, by
session and, for the API, by token. The answer must be 404, the same as for an id that does not
exist; the only other answers allowed are listed in ALLOWED with a reason. A's owner gets
something other than 404 for the same URLs, which proves each URL reaches a real view.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from api.models import ApiToken
from gates.models import QualityGate
from githubapp.models import Installation
from projects.models import Audit, Finding, Repository
from teams.models import Invitation, Membership
from tests.automation import free_port
from tests.factories import (
    AuditFactory,
    FindingFactory,
    InventorySnapshotFactory,
    MembershipFactory,
    RepositoryFactory,
    TeamFactory,
    UserFactory,
)
from tests.hardening.figures import record
from triage.models import IgnoreRule
from webhooks.models import GitHubWebhook, OutgoingWebhook, new_secret

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Route:
    route: str  # the full route, e.g. "repositories/<int:pk>/settings/"
    name: str  # "namespace:name", or "" for unnamed patterns
    params: tuple[str, ...]


def _pattern_text(pattern) -> str:
    return str(pattern.pattern)


def walk(patterns=None, prefix: str = "", namespace: str = "") -> list[Route]:
    """Every URL pattern, with its full route and the names of its parameters."""
    routes: list[Route] = []
    for item in patterns if patterns is not None else get_resolver().url_patterns:
        text = prefix + _pattern_text(item)
        if isinstance(item, URLResolver):
            space = f"{namespace}:{item.namespace}" if item.namespace else namespace
            routes += walk(item.url_patterns, text, space.strip(":"))
        elif isinstance(item, URLPattern):
            params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", text)) + tuple(re.findall(r"\(\?P<(\w+)>", text))
            name = f"{namespace}:{item.name}".strip(":") if item.name else ""
            routes.append(Route(text, name, params))
    return routes


# --- classification --------------------------------------------------------------------------------

# Third-party route families, classified by prefix: their patterns never take a team object.
PREFIXES = {
    "admin/": "staff",  # Django admin: staff only; team B's user is not staff
    "^admin/": "staff",
    "accounts/": "account",  # allauth: the user's own account (login, signup, email, password)
}

# Every other pattern, by name: public (no login, no team data), auth (the signed-in user's own
# data or their current team, no object id in the URL), scoped (team objects by id), token (a
# capability URL: an unguessable signed token or UUID is the authorisation).
CLASSIFICATION = {
    "index": "auth",
    "repository_add": "auth",
    "repository_settings": "scoped",
    "repository_delete": "scoped",
    "reports:projects": "auth",
    "reports:run_audit": "scoped",
    "reports:latest_audit": "scoped",
    "reports:history": "scoped",
    "reports:audit": "scoped",
    "reports:audit_progress": "scoped",
    "reports:schema": "scoped",
    "reports:index_map": "scoped",
    "reports:endpoints": "scoped",
    "reports:export": "scoped",
    "reports:rules": "public",
    "team_list": "auth",
    "team_switch": "auth",
    "team_members": "scoped",
    "team_invite": "scoped",
    "team_invite_revoke": "scoped",
    "team_member_role": "scoped",
    "team_member_remove": "scoped",
    "team_rename": "scoped",
    "team_delete": "scoped",
    "team_invite_accept": "token",
    "schedule_settings": "scoped",
    "finding_triage": "scoped",
    "ignore_rules": "scoped",
    "ignore_rule_delete": "scoped",
    "gate_settings": "scoped",
    "gate_update": "scoped",
    "gate_badge": "token",
    "api_repository_gate": "scoped",
    "api_audit_gate": "scoped",
    "github_webhook": "token",
    "webhook_settings": "scoped",
    "github_webhook_rotate": "scoped",
    "outgoing_webhook_add": "scoped",
    "outgoing_webhook_delete": "scoped",
    "digest_preferences": "auth",
    "digest_team_preferences": "scoped",
    "digest_unsubscribe": "token",
    "api_projects": "auth",
    "api_project": "scoped",
    "api_project_audits": "scoped",
    "api_audit": "scoped",
    "api_audit_findings": "scoped",
    "api_audit_inventory": "scoped",
    "api_schema": "public",
    "api_docs": "public",
    "api_docs_interactive": "public",
    "triage_bulk": "scoped",
    "rule_profile": "scoped",
    "api_tokens": "auth",
    "api_token_revoke": "scoped",
    "api_root": "auth",
    "api_project_ignore_rules": "scoped",
    "api_project_ignore_rule": "scoped",
    "api_finding_triage": "scoped",
    "githubapp:webhook": "token",
    "githubapp:installations": "auth",
    "githubapp:connect": "auth",
    "githubapp:setup": "auth",
    "githubapp:repositories": "scoped",
    "githubapp:repository_settings": "scoped",
}

# The answers other than 404 that B may get, with the reason each one is no leak.
ALLOWED = {
    405: "method not allowed is decided before any lookup: asserted identical for an id that does not exist",
}

# Which object a parameter names: by parameter, or for `pk`, by the route's first segment.
PK_BY_PREFIX = {
    "repositories/": "repository",
    "projects/": "repository",
    "api/v1/projects/": "repository",
    "audits/": "audit",
    "api/v1/audits/": "audit",
    "api/v1/findings/": "finding",
    "findings/": "finding",
    "settings/api-tokens/": "api_token",
    "github/installations/": "installation",
}
PARAM_KINDS = {
    "team_id": "team",
    "membership_id": "membership",
    "invitation_id": "invitation",
    "rule_id": "ignore_rule",
    "hook_id": "outgoing_hook",
}
LITERALS = {"fmt": ["csv", "json", "sarif"]}
MISSING_ID = 987654321


def classify(route: Route) -> str | None:
    for prefix, kind in PREFIXES.items():
        if route.route.startswith(prefix):
            return kind
    return CLASSIFICATION.get(route.name)


def param_kind(route: Route, param: str) -> str | None:
    if param in PARAM_KINDS:
        return PARAM_KINDS[param]
    if param == "pk":
        for prefix in sorted(PK_BY_PREFIX, key=len, reverse=True):
            if route.route.startswith(prefix):
                return PK_BY_PREFIX[prefix]
    return None


def fill(route: Route, values: dict[str, object]) -> str:
    path = route.route
    for param in route.params:
        path = re.sub(r"<(?:\w+:)?" + param + ">", str(values[param]), path)
    return "/" + path


# --- the two teams -------------------------------------------------------------------------------


class Tenants:
    """Team A with one of everything, interleaved with team B's objects so ids are sequential."""

    def __init__(self) -> None:
        self.team_a, self.team_b = TeamFactory(name="Acme"), TeamFactory(name="Globex")
        self.owner_a = MembershipFactory(team=self.team_a, role="owner", user=UserFactory(email="a@acme.test")).user
        self.owner_b = MembershipFactory(team=self.team_b, role="owner", user=UserFactory(email="b@globex.test")).user
        self.objects: dict[str, dict[str, list[int]]] = {"a": {}, "b": {}}
        self.member_a = MembershipFactory(team=self.team_a, role="member").user
        for round_ in range(2):
            for side, team, user in (("a", self.team_a, self.owner_a), ("b", self.team_b, self.owner_b)):
                repository = RepositoryFactory(team=team, name=f"{side}/app-{round_}")
                audit = AuditFactory(repository=repository)
                InventorySnapshotFactory(audit=audit)
                finding = FindingFactory(audit=audit)
                Repository.objects.filter(pk=repository.pk).update(last_audit=audit)
                QualityGate.objects.create(repository=repository)
                rule = IgnoreRule.objects.create(repository=repository, rule="auth/*", reason="x", created_by=user)
                hook = OutgoingWebhook(repository=repository, url=f"https://hooks.example.com/{side}")
                hook.set_secret(new_secret())
                hook.save()
                github = GitHubWebhook(repository=repository)
                github.set_secret(new_secret())
                github.save()
                invitation = Invitation.objects.create(team=team, email=f"new{round_}@{side}.test", role="member")
                token, _raw = ApiToken.issue(user, f"{side}-{round_}")
                installation = Installation.objects.create(
                    installation_id=1000 * round_ + (1 if side == "a" else 2),
                    account_login=f"{side}-org-{round_}", team=team, bound_by=user)
                objects = self.objects[side]
                for kind, pk in (
                    ("repository", repository.pk),
                    ("audit", audit.pk),
                    ("finding", finding.pk),
                    ("ignore_rule", rule.pk),
                    ("outgoing_hook", hook.pk),
                    ("invitation", invitation.pk),
                    ("api_token", token.pk),
                    ("installation", installation.pk),
                ):
                    objects.setdefault(kind, []).append(pk)
        self.objects["a"]["team"] = [self.team_a.pk]
        self.objects["b"]["team"] = [self.team_b.pk]
        self.objects["a"]["membership"] = list(Membership.objects.filter(team=self.team_a).values_list("pk", flat=True))
        self.objects["b"]["membership"] = list(Membership.objects.filter(team=self.team_b).values_list("pk", flat=True))

    def guesses(self, kind: str) -> list[int]:
        """A's ids and every sequential id a guesser would try, but none of B's own."""
        every = self.objects["a"][kind] + self.objects["b"][kind]
        return [pk for pk in range(1, max(every) + 3) if pk not in self.objects["b"][kind]]

    def snapshot(self) -> tuple:
        return (
            Repository.objects.filter(team=self.team_a).count(),
            Audit.objects.filter(repository__team=self.team_a).count(),
            Finding.objects.filter(audit__repository__team=self.team_a).count(),
            IgnoreRule.objects.filter(repository__team=self.team_a).count(),
            OutgoingWebhook.objects.filter(repository__team=self.team_a).count(),
            Invitation.objects.filter(team=self.team_a, accepted_at__isnull=True).count(),
            sorted(Membership.objects.filter(team=self.team_a).values_list("user_id", "role")),
            ApiToken.objects.filter(user=self.owner_a).count(),
            sorted(GitHubWebhook.objects.filter(repository__team=self.team_a).values_list("key", flat=True)),
            sorted(Installation.objects.filter(team=self.team_a).values_list("installation_id", flat=True)),
        )


@pytest.fixture
def tenants(settings) -> Tenants:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The GitHub App's pages answer 404 to everyone while it is unset; configured, they must still
    # answer 404 to another team. Its API is a closed port: no lookup here may reach GitHub first.
    settings.GITHUB_APP_ID = "1"
    settings.GITHUB_APP_SLUG = "convex-auditor-isolation"
    settings.GITHUB_APP_WEBHOOK_SECRET = "isolation-secret"
    settings.GITHUB_API_URL = f"http://127.0.0.1:{free_port()}"
    return Tenants()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def scoped_requests(route: Route, tenants: Tenants) -> list[dict[str, object]]:
    """Parameter sets that name A's objects (or guessed ids), never an object B owns outright."""
    kinds = {param: param_kind(route, param) for param in route.params if param not in LITERALS}
    literal = {param: LITERALS[param][0] for param in route.params if param in LITERALS}
    if not kinds:
        return []
    names = list(kinds)
    combos: list[dict[str, object]] = []
    if len(names) == 1:
        (param,) = names
        combos += [{param: pk} for pk in tenants.guesses(kinds[param])]
    else:
        parent, child = names[0], names[1]
        a, b = tenants.objects["a"], tenants.objects["b"]
        for parent_id in a[kinds[parent]]:
            combos += [{parent: parent_id, child: child_id} for child_id in a[kinds[child]]]
            combos += [{parent: parent_id, child: child_id} for child_id in b[kinds[child]]]
        for parent_id in b[kinds[parent]]:
            combos += [{parent: parent_id, child: child_id} for child_id in tenants.guesses(kinds[child])]
    return [{**literal, **combo} for combo in combos]


def routes_of(kind: str) -> list[Route]:
    return [route for route in walk() if classify(route) == kind]


TALLY = {"urls_checked": 0, "leaks": 0}


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    record("isolation", {**TALLY, "patterns": len(walk())})


# --- the tests --------------------------------------------------------------------------------------


def test_it_classifies_and_fills_every_url_pattern():
    problems = []
    routes = walk()
    assert len(routes) > 60, "the resolver walk found too few patterns"
    for route in routes:
        kind = classify(route)
        if kind is None:
            problems.append(f"{route.route} ({route.name or 'unnamed'}): not classified")
            continue
        if kind == "scoped":
            for param in route.params:
                if param not in LITERALS and param_kind(route, param) is None:
                    problems.append(f"{route.route}: cannot fill <{param}>")
            if not route.params:
                problems.append(f"{route.route}: scoped but names no object")
        if kind in ("auth", "public", "account") and any(p in ("pk", *PARAM_KINDS) for p in route.params):
            problems.append(f"{route.route}: {kind} but takes an object id; classify it as scoped")
    stale = set(CLASSIFICATION) - {route.name for route in routes}
    problems += [f"{name}: classified but no such pattern" for name in sorted(stale)]
    assert not problems, "\n".join(problems)


def test_it_answers_404_to_team_b_for_every_object_of_team_a(tenants):
    before = tenants.snapshot()
    b, a = client_for(tenants.owner_b), client_for(tenants.owner_a)
    token, _raw_token = ApiToken.issue(tenants.owner_b, "b-api")
    tenants.objects["b"]["api_token"].append(token.pk)  # B may revoke its own
    api = Client(HTTP_AUTHORIZATION=f"Bearer {_raw_token}")
    leaks: list[str] = []
    checked = 0
    unreached: list[str] = []
    for route in routes_of("scoped"):
        clients = [("session", b)] + ([("token", api)] if route.route.startswith("api/") else [])
        reached = False
        for values in scoped_requests(route, tenants):
            url = fill(route, values)
            missing = fill(route, {k: (v if k in LITERALS else MISSING_ID) for k, v in values.items()})
            for method in ("get", "post"):
                for how, client in clients:
                    checked += 1
                    response = getattr(client, method)(url)
                    status = response.status_code
                    if status == 404:
                        continue
                    baseline = getattr(client, method)(missing).status_code
                    if status in ALLOWED and status == baseline:
                        continue
                    leaks.append(f"{method.upper()} {url} ({how}): {status}, missing id gives {baseline}")
            # A's owner reaches a view with A's own objects (proves the URL is filled right).
            ours = all(
                values[p] in tenants.objects["a"][param_kind(route, p)] for p in route.params if p not in LITERALS
            )
            if ours and not reached:
                # GET first; an empty POST only where GET finds nothing (a POST-only view answers 405).
                reached = a.get(url).status_code != 404 or a.post(url).status_code != 404
        if not reached:
            unreached.append(route.route)
    TALLY["urls_checked"] += checked
    TALLY["leaks"] += len(leaks)
    assert tenants.snapshot() == before, "team B changed team A's data"
    assert not leaks, "\n".join(leaks[:50])
    assert not unreached, f"A's owner got 404 everywhere on: {unreached}"


def test_it_lets_team_b_see_only_its_own_objects_in_lists_and_exports(tenants):
    """The listing pages and API, which take no id, show none of A's objects."""
    b = client_for(tenants.owner_b)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(tenants.owner_b, 'b-list')[1]}")
    secrets_of_a = [r.name for r in Repository.objects.filter(team=tenants.team_a)]
    secrets_of_a += [str(k) for k in GitHubWebhook.objects.filter(repository__team=tenants.team_a).values_list(
        "key", flat=True)]
    secrets_of_a += ["a@acme.test", "hooks.example.com/a", "new0@a.test"]
    leaks = []
    checked = 0
    for route in routes_of("auth") + routes_of("public"):
        if route.params:
            continue
        for client in (b, api) if route.route.startswith("api/") else (b,):
            url = fill(route, {})
            for query in ("", f"?team={tenants.team_a.pk}"):
                checked += 1
                response = client.get(url + query)
                if response.status_code >= 500:
                    leaks.append(f"GET {url}{query}: {response.status_code}")
                    continue
                body = b"".join(response.streaming_content) if response.streaming else response.content
                text = body.decode("utf-8", "replace")
                leaks += [f"GET {url}{query} shows {s!r}" for s in secrets_of_a if s in text]
    TALLY["urls_checked"] += checked
    TALLY["leaks"] += len(leaks)
    assert not leaks, "\n".join(leaks)


def test_it_refuses_forged_capability_tokens_for_team_a_objects(tenants):
    b = client_for(tenants.owner_b)
    anonymous = Client()
    leaks = []
    checked = 0
    forged = ["x", "0" * 40, "eyJ0ZWFtIjoxfQ:forged:sig", str(uuid.uuid4())]
    for route in routes_of("token"):
        for client in (b, anonymous):
            for token in forged:
                values: dict[str, object] = {}
                for param in route.params:
                    values[param] = tenants.objects["a"]["repository"][0] if param == "pk" else token
                if "key" in route.params and not re.fullmatch(r"[0-9a-f-]{36}", str(values["key"])):
                    continue  # the <uuid:key> converter would not match: Django's own 404
                url = fill(route, values)
                for method in ("get", "post"):
                    checked += 1
                    response = getattr(client, method)(url)
                    if response.status_code not in (302, 400, 403, 404, 405):
                        leaks.append(f"{method.upper()} {url}: {response.status_code}")
    TALLY["urls_checked"] += checked
    TALLY["leaks"] += len(leaks)
    assert not leaks, "\n".join(leaks)


def test_it_keeps_team_b_out_of_the_admin(tenants):
    b = client_for(tenants.owner_b)
    leaks = []
    checked = 0
    repository = tenants.objects["a"]["repository"][0]
    for route in routes_of("staff"):
        if route.name in ("admin:login", "admin:logout"):
            continue  # the admin's own sign-in and sign-out pages, open to anyone
        values = {p: (repository if p == "object_id" else {"app_label": "projects", "model_name": "repository"}
                      .get(p, "1")) for p in route.params}
        path = "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m, values=values: str(values[m.group(1)]), route.route)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m, values=values: str(values[m.group(1)]), path)
        path = path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
        checked += 1
        response = b.get(path)
        if response.status_code not in (302, 404) or (
            response.status_code == 302 and "/admin/login/" not in response["Location"]
        ):
            leaks.append(f"GET {path}: {response.status_code}")
    TALLY["urls_checked"] += checked
    TALLY["leaks"] += len(leaks)
    assert not leaks, "\n".join(leaks)
