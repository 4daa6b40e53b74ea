"""Queue, run and store audits. The Celery tasks in projects.tasks are thin wrappers over this."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects import after_audit, codecontext, comparison, gitops
from projects.models import Audit, Finding, InventorySnapshot, Repository
from projects.scoring import health_score

log = logging.getLogger(__name__)

# An audit still queued after this long lost its message (broker wiped, say); the reaper fails it.
QUEUED_TIMEOUT = timedelta(hours=6)
REAPER_GRACE = timedelta(seconds=60)


def checkout_dir(repository: Repository) -> Path:
    return Path(settings.AUDITOR_CLONE_DIR) / f"repo-{repository.pk}"


def facts_cache_dir() -> Path:
    configured = settings.AUDITOR_FACTS_CACHE_DIR
    return Path(configured) if configured else Path(settings.AUDITOR_CLONE_DIR).parent / "facts-cache"


_facts_caches: dict[tuple[Path, int], Any] = {}


def facts_cache() -> Any:
    """The engine's facts cache of this worker process: kept across audits, on disk beside the clones."""
    from auditor.engine import ParseCache

    key = (facts_cache_dir(), settings.AUDITOR_FACTS_CACHE_MEMORY_MB)
    if key not in _facts_caches:
        _facts_caches.clear()  # settings changed (tests): the old cache is not wanted any more
        _facts_caches[key] = ParseCache(key[0], max_bytes=key[1] * 1024 * 1024)
    return _facts_caches[key]


def queue_audit(
    repository: Repository,
    trigger: str,
    *,
    user=None,
    force: bool = False,
    sha: str = "",
) -> Audit:
    """Create a queued audit and send it to a worker once the transaction commits.

    An audit already waiting for the same repository is returned instead: when it starts it
    fetches the newest commit anyway, so a second one would only repeat it.
    """
    waiting = (
        repository.audits.filter(state=Audit.State.QUEUED, created_at__gte=timezone.now() - QUEUED_TIMEOUT)
        .filter(force=force, requested_sha=sha)
        .order_by("created_at")
        .first()
    )
    if waiting is not None:
        return waiting
    audit = Audit.objects.create(
        repository=repository,
        trigger=trigger,
        force=force,
        requested_by=user if user is not None and user.is_authenticated else None,
        requested_sha=sha,
        branch=repository.branch,
    )
    send(audit)
    return audit


def send(audit: Audit) -> None:
    from projects.tasks import audit_repository

    args = (audit.repository_id, audit.trigger, audit.force)
    transaction.on_commit(lambda: audit_repository.apply_async(args=args, kwargs={"audit_id": audit.pk}))


def _set_state(audit: Audit, state: str, **fields: Any) -> None:
    audit.state = state
    for name, value in fields.items():
        setattr(audit, name, value)
    audit.save(update_fields=["state", *fields])


def fail(audit: Audit, reason: str, *, timed_out: bool = False) -> None:
    _set_state(audit, Audit.State.FAILED, failure_reason=reason[:4000], finished_at=timezone.now(),
               timed_out=timed_out)
    log.info("audit %s of repository %s failed: %s", audit.pk, audit.repository_id, reason)
    after_audit.start_failed(audit)


def access_token(repository: Repository) -> str | None:
    """The token git fetches with: a GitHub App installation token minted now for a repository
    connected through the App (never stored), else the repository's own token, if any."""
    from githubapp.services import installation_token_for

    minted = installation_token_for(repository)
    return minted if minted is not None else repository.get_token()


def pull_request_ref(audit: Audit) -> str | None:
    """The ref holding a pull request's head when it is not a branch of the repository (a fork's)."""
    if audit.trigger != Audit.Trigger.PULL_REQUEST:
        return None
    from githubapp.services import pull_request_ref as github_ref

    return github_ref(audit)


@dataclass(frozen=True)
class BaseRules:
    """How the audit of a change the repository's own people did not write (a pull request from a
    fork) is judged, so that the change cannot relax its own check:

    - the configuration is the base commit's `convex-audit.toml` (`config_text`, "" when it has
      none), never the one in the change;
    - a finding the change introduces (its fingerprint is not in the baseline) that a source
      comment suppresses is kept open, its suppression marked NOT_HONOURED; findings the base
      already had keep theirs.
    """

    base: str  # the base commit (or branch) the configuration was read from
    config_text: str
    config_source: str | None


NOT_HONOURED = "not honoured (a change from a fork cannot suppress its own findings): "


def base_rules(audit: Audit) -> BaseRules | None:
    """The rules a pull request from a fork is judged by; None for every other audit."""
    if audit.trigger != Audit.Trigger.PULL_REQUEST:
        return None
    from githubapp.services import base_rules as github_base_rules

    return github_base_rules(audit)


def keep_new_findings_open(data: dict[str, Any], baseline: Audit | None) -> int:
    """Per BaseRules: the findings in the engine's report `data` that are not in `baseline` and
    were suppressed by a source comment are open again (the score follows). Returns how many."""
    from auditor.engine.score import ScoredFinding, compute_score

    findings: list[dict[str, Any]] = data.get("findings") or []
    before: set[str] = set()
    if baseline is not None:
        before = set(Finding.objects.filter(audit_id=baseline.result.pk).values_list("fingerprint", flat=True))
    reopened = 0
    for finding in findings:
        suppression = finding.get("suppression")
        if (finding.get("suppressed") and isinstance(suppression, str) and suppression.startswith("comment:")
                and finding.get("fingerprint") not in before):
            finding["suppressed"] = False
            finding["suppression"] = NOT_HONOURED + suppression
            reopened += 1
    if reopened:
        data["score"] = compute_score(ScoredFinding(str(f["rule"]), str(f["severity"]), bool(f.get("suppressed")))
                                      for f in findings)
        stats = data.setdefault("stats", {})
        if isinstance(stats.get("suppressed"), int):
            stats["suppressed"] -= reopened
    return reopened


def current_profile(repository: Repository) -> dict[str, Any]:
    """The repository's rule profile as the engine can apply it now: rules this engine no longer
    has (renamed or removed by an upgrade since the profile was saved) are left out, so a saved
    profile cannot fail every later audit the way a stale id in convex-audit.toml would."""
    from auditor.engine.rules import all_rules

    profile = repository.rule_profile or {}
    known = {rule.id for rule in all_rules()}
    disable = [rule for rule in profile.get("disable") or [] if rule in known]
    severity = {rule: level for rule, level in (profile.get("severity") or {}).items() if rule in known}
    return {key: value for key, value in (("disable", disable), ("severity", severity)) if value}


def run_audit(audit: Audit) -> Audit:
    """Fetch, analyse and store one audit. The caller holds the repository's audit lock."""
    repository = audit.repository
    workdir = checkout_dir(repository)
    # A pull request's audit keeps the head branch it was queued with; others audit the tracked branch.
    branch = audit.branch if audit.trigger == Audit.Trigger.PULL_REQUEST and audit.branch else repository.branch
    # The rule profile as it is now: changing it later affects the next audit, not this one.
    _set_state(audit, Audit.State.CLONING, started_at=timezone.now(), branch=branch, failure_reason="",
               rule_profile=current_profile(repository))
    if audit.trigger == Audit.Trigger.PULL_REQUEST:
        after_audit.started(audit)
    try:
        token = access_token(repository)
        commit = gitops.fetch_checkout(workdir, repository.url, branch, token, sha=audit.requested_sha or None,
                                       ref=pull_request_ref(audit))
    except gitops.RemoteError as error:
        fail(audit, error.message)
        return audit
    audit.commit_sha = commit.sha
    audit.commit_author = commit.author
    audit.commit_message = commit.message[:10000]
    audit.committed_at = commit.committed_at
    audit.save(update_fields=["commit_sha", "commit_author", "commit_message", "committed_at"])

    if not audit.force:
        # Only results of the same commit under the same rule profile can stand for this audit.
        candidates = (
            repository.audits.filter(state=Audit.State.DONE, commit_sha=commit.sha, reused_from__isnull=True)
            .exclude(pk=audit.pk)
            .order_by("-finished_at", "-id")
        )
        earlier = next((a for a in candidates[:20] if (a.rule_profile or {}) == audit.rule_profile), None)
        if earlier is not None:
            return _reuse(audit, earlier)

    try:
        rules = base_rules(audit)
    except gitops.RemoteError as error:
        fail(audit, error.message)
        return audit
    _set_state(audit, Audit.State.ANALYSING)
    # Imported here so that loading Django (e.g. for `migrate`) never needs the engine.
    from auditor.engine import EngineUsageError, audit_path

    started = time.monotonic()
    try:
        report = audit_path(workdir, convex_dir=repository.convex_dir or None, cache=facts_cache(),
                            profile=audit.rule_profile or None, baseline=compat_baseline(audit),
                            config_text=rules.config_text if rules else None,
                            config_source=rules.config_source if rules else None)
        data = report.to_dict()
    except EngineUsageError as error:
        fail(audit, _plain_engine_message(str(error), workdir))
        return audit
    except Exception as error:
        # A SoftTimeLimitExceeded is an Exception too; the task turns it into its own reason.
        if type(error).__name__ == "SoftTimeLimitExceeded":
            raise
        log.exception("engine crashed on audit %s", audit.pk)
        fail(audit, f"The analysis crashed ({type(error).__name__}). The error was logged for the operators.")
        return audit
    if rules is not None:
        reopened = keep_new_findings_open(data, comparison.default_baseline(audit))
        data.setdefault("stats", {})["base_rules"] = {"base": rules.base, "config": rules.config_source,
                                                      "suppressions_not_honoured": reopened}
    store_results(audit, data, seconds=time.monotonic() - started, workdir=workdir)
    return audit


def compat_baseline(audit: Audit) -> Any:
    """What the engine's compat/* rules compare this audit with: the inventory stored with its default
    baseline (comparison.default_baseline). None when there is none, or when it was stored by an engine
    that did not yet record validators; the audit then runs without the compat rules."""
    from auditor.engine.compat import BaselineError, load_baseline

    previous = comparison.default_baseline(audit)
    inventory = previous.result_inventory() if previous is not None else None
    if inventory is None:
        return None
    try:
        return load_baseline({"inventory": {"functions": inventory.functions, "schema": inventory.schema}})
    except BaselineError as error:
        log.info("audit %s runs without a compat baseline: %s", audit.pk, error)
        return None


def _plain_engine_message(message: str, workdir: Path) -> str:
    # The engine names paths on the worker's disk; users know their repository, not our folders.
    message = message.replace(str(workdir.resolve()), "the repository").replace(str(workdir), "the repository")
    if message.startswith("no Convex folder"):
        message += ". Set the Convex folder in the repository's settings if it lives elsewhere."
    return message[0].upper() + message[1:] if message else "The engine could not start."


def _reuse(audit: Audit, earlier: Audit) -> Audit:
    with transaction.atomic():
        for name in (
            "error_count",
            "warning_count",
            "info_count",
            "suppressed_count",
            "dismissed_count",
            "ignored_count",
            "health_score",
            "score",
            "stats",
            "engine_seconds",
        ):
            setattr(audit, name, getattr(earlier, name))
        # Nothing is new or fixed relative to the same commit.
        audit.new_count = audit.reopened_count = audit.fixed_count = 0
        audit.reused_from = earlier
        audit.baseline = earlier
        audit.state = Audit.State.DONE
        audit.finished_at = timezone.now()
        audit.save()
        Repository.objects.filter(pk=audit.repository_id).update(last_audit=audit)
        after_audit.start(audit)
    return audit


def store_results(
    audit: Audit, data: dict[str, Any], seconds: float | None = None, *, workdir: Path | None = None,
    baseline: Audit | bool | None = True,
) -> Audit:
    """Write the audit, its findings (with their effective state and the code around them), the
    comparison with its baseline and the inventory, in one transaction.

    `baseline`: True for the default one (projects.comparison.default_baseline), or an audit
    (a pull request's base), or None for no baseline.
    """
    from triage import state as finding_state

    findings: list[dict[str, Any]] = data.get("findings") or []
    inventory: dict[str, Any] = data.get("inventory") or {}
    reader = codecontext.Reader(workdir) if workdir is not None else None
    with transaction.atomic():
        book = finding_state.book_for(audit.repository_id)
        Finding.objects.bulk_create(
            [
                Finding.from_report(
                    f,
                    audit=audit,
                    state=finding_state.initial_state(book, f),
                    context=reader.around(f) if reader is not None else [],
                )
                for f in findings
            ],
            batch_size=1000,
        )
        InventorySnapshot.objects.create(
            audit=audit,
            functions=inventory.get("functions") or [],
            http_routes=inventory.get("http_routes") or [],
            schema=inventory.get("schema"),
            index_map=inventory.get("index_map") or {},
            crons=inventory.get("crons") or [],
        )
        audit.score = data.get("score")
        audit.health_score = health_score(data)
        audit.stats = data.get("stats") or {}
        audit.engine_seconds = seconds
        audit.save(update_fields=["score", "health_score", "stats", "engine_seconds"])
        comparison.record(audit, comparison.default_baseline(audit) if baseline is True else baseline or None)
        audit.refresh_from_db()
        audit.state = Audit.State.DONE
        audit.finished_at = timezone.now()
        audit.failure_reason = ""
        audit.save(update_fields=["state", "finished_at", "failure_reason"])
        if audit.trigger != Audit.Trigger.PULL_REQUEST:
            Repository.objects.filter(pk=audit.repository_id).update(last_audit=audit)
        after_audit.start(audit)
    return audit


def resend_lost_audits(now=None) -> list[int]:
    """Send every queued audit again when the broker lost its messages; returns their ids.

    Redis here keeps nothing on disk: a restart (or a flush) drops every waiting message, and
    their audits would sit queued until the reaper fails them hours later. A key this function
    keeps in Redis disappears with them, which is how the loss is noticed. Sending an audit
    twice is harmless: a delivery of an audit that already ran, or runs, changes nothing.
    """
    if not settings.REDIS_URL:
        return []
    from projects.locks import _redis

    key = f"auditor:{settings.DATABASES['default']['NAME']}:broker-sentinel"
    if not _redis().set(key, "1", nx=True):
        return []  # the key survived: so did the messages
    now = now or timezone.now()
    waiting = Audit.objects.filter(state=Audit.State.QUEUED, created_at__gte=now - QUEUED_TIMEOUT).order_by("pk")
    resent = []
    for audit in waiting:
        send(audit)
        resent.append(audit.pk)
    if resent:
        log.warning("the broker lost its messages; sent %d queued audits again", len(resent))
    return resent


def reap_stuck_audits(now=None) -> list[int]:
    """Fail audits whose worker died; re-queue each such audit once. Returns the reaped ids.

    A reaped audit is failed as any other (timed out): the steps after a failed audit run, so a
    pull request's check run is completed; its retry is tied to the same pull request (see
    `link_retry`). Two reapers never both act on one audit (each claims it by a conditional update).
    """
    now = now or timezone.now()
    limit = timedelta(seconds=settings.AUDITOR_AUDIT_TIME_LIMIT) + REAPER_GRACE
    reaped: list[int] = []
    stuck = Audit.objects.filter(state__in=Audit.RUNNING_STATES, started_at__lt=now - limit).select_related(
        "repository"
    )
    for audit in stuck:
        with transaction.atomic():
            # Claimed by a conditional update, so two reapers never both re-queue it.
            claimed = Audit.objects.filter(pk=audit.pk, state=audit.state).update(
                state=Audit.State.FAILED,
                finished_at=now,
                timed_out=True,
                failure_reason=(
                    f"The worker stopped responding while {audit.get_state_display().lower()} "
                    f"(no result after {int(limit.total_seconds())} seconds)."
                    + (" A new attempt was queued." if audit.attempt == 1 else "")
                ),
            )
            if not claimed:
                continue
            reaped.append(audit.pk)
            after_audit.start_failed(audit)
            if audit.attempt == 1:
                retry = Audit.objects.create(
                    repository=audit.repository,
                    trigger=audit.trigger,
                    force=audit.force,
                    requested_by_id=audit.requested_by_id,
                    requested_sha=audit.requested_sha,
                    branch=audit.branch,
                    attempt=audit.attempt + 1,
                    retry_of=audit,
                )
                link_retry(audit, retry)
                send(retry)
    lost = Audit.objects.filter(state=Audit.State.QUEUED, created_at__lt=now - QUEUED_TIMEOUT)
    for audit in lost.only("pk"):
        with transaction.atomic():
            if Audit.objects.filter(pk=audit.pk, state=Audit.State.QUEUED).update(
                state=Audit.State.FAILED,
                finished_at=now,
                timed_out=True,
                failure_reason="The audit waited in the queue too long without a worker picking it up.",
            ):
                reaped.append(audit.pk)
                after_audit.start_failed(audit)
    return reaped


def link_retry(audit: Audit, retry: Audit) -> None:
    """What a reaped audit was for carries over to its retry: a pull request's audit's retry is an
    audit of the same head against the same base, published to the same pull request."""
    if audit.trigger == Audit.Trigger.PULL_REQUEST:
        from githubapp.services import link_retry as link_pull_request_retry

        link_pull_request_retry(audit, retry)
