"""The clone-and-audit pipeline against real local git repositories and the real engine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from projects import pipeline
from projects.models import Audit, Finding, FixedFinding, InventorySnapshot
from projects.tasks import audit_repository, reap_stuck_audits
from tests.automation import finding, store
from tests.factories import AuditFactory, RepositoryFactory

pytestmark = pytest.mark.django_db


def run(repository, trigger="manual", force=False) -> Audit:
    audit = pipeline.queue_audit(repository, trigger, force=force)
    audit_repository(repository.pk, trigger, force, audit_id=audit.pk)
    audit.refresh_from_db()
    return audit


def test_it_clones_and_audits_a_repository(repository, local_remote):
    audit = run(repository)
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert len(audit.commit_sha) == 40
    assert audit.commit_author == "Ada Lovelace <ada@example.com>"
    assert audit.commit_message == "Initial commit"
    assert audit.started_at and audit.finished_at and audit.health_score is not None
    assert audit.stats["files"] >= 4
    inventory = InventorySnapshot.objects.get(audit=audit)
    assert {f["id"] for f in inventory.functions} >= {"messages:list", "messages:send", "users:me"}
    assert [t["name"] for t in inventory.schema["tables"]] == ["users", "messages"]
    repository.refresh_from_db()
    assert repository.last_audit_id == audit.pk


def test_it_re_audits_a_new_commit(repository, local_remote):
    first = run(repository)
    local_remote.write(
        "convex/extra.ts",
        'import { query } from "./_generated/server";\n'
        "export const ping = query({ args: {}, handler: async () => 'pong' });\n",
    )
    sha = local_remote.commit("Add ping")
    second = run(repository)
    assert second.state == Audit.State.DONE, second.failure_reason
    assert second.commit_sha == sha != first.commit_sha
    assert second.commit_message == "Add ping"
    assert "extra:ping" in {f["id"] for f in second.inventory.functions}


def test_it_reuses_the_result_for_an_already_audited_commit(repository):
    first = run(repository)
    second = run(repository)
    assert second.state == Audit.State.DONE
    assert second.reused_from_id == first.pk
    assert second.result == first
    assert second.commit_sha == first.commit_sha
    assert not second.findings.exists() and not InventorySnapshot.objects.filter(audit=second).exists()


def test_it_re_analyses_the_same_commit_when_forced(repository):
    first = run(repository)
    forced = run(repository, force=True)
    assert forced.reused_from_id is None
    assert forced.commit_sha == first.commit_sha
    assert InventorySnapshot.objects.filter(audit=forced).exists()


def test_it_ignores_a_duplicate_delivery_of_a_finished_audit(repository):
    audit = run(repository)
    finished_at = audit.finished_at
    assert audit_repository(repository.pk, "manual", False, audit_id=audit.pk) == audit.pk
    audit.refresh_from_db()
    assert audit.finished_at == finished_at
    assert Audit.objects.filter(repository=repository).count() == 1


def test_it_keeps_the_reason_when_the_repository_cannot_be_cloned(repository, tmp_path):
    repository.url = str(tmp_path / "nowhere.git")
    repository.set_token("ghp_supersecrettoken123")
    repository.save()
    audit = run(repository)
    assert audit.state == Audit.State.FAILED
    assert "not found" in audit.failure_reason.lower() or "git failed" in audit.failure_reason.lower()
    assert "ghp_supersecrettoken123" not in audit.failure_reason


def test_it_fails_with_a_clear_reason_when_there_is_no_convex_folder(repository, local_remote):
    local_remote.remove("convex")
    local_remote.commit("Remove the backend")
    audit = run(repository)
    assert audit.state == Audit.State.FAILED
    assert audit.failure_reason.startswith("No Convex folder")
    assert "clones" not in audit.failure_reason  # no worker paths leak into the message


def test_it_fails_when_the_branch_is_gone(repository):
    repository.branch = "release"
    repository.save()
    audit = run(repository)
    assert audit.state == Audit.State.FAILED
    assert "release" in audit.failure_reason and "does not exist" in audit.failure_reason


def test_it_never_writes_the_token_or_the_remote_into_the_clone(repository):
    repository.set_token("ghp_supersecrettoken123")
    repository.save()
    audit = run(repository)
    assert audit.state == Audit.State.DONE, audit.failure_reason
    config = (pipeline.checkout_dir(repository) / ".git" / "config").read_text()
    assert "ghp_supersecrettoken123" not in config
    assert repository.url not in config


def test_it_waits_while_another_audit_of_the_repository_holds_the_lock(repository, settings):
    from projects.locks import audit_lock

    audit = pipeline.queue_audit(repository, "manual")
    with audit_lock(repository.pk, ttl=60) as held:
        assert held
        with audit_lock(repository.pk, ttl=60) as second:
            assert not second
        with pytest.raises(Retry):
            audit_repository(repository.pk, "manual", False, audit_id=audit.pk)
    audit.refresh_from_db()
    assert audit.state == Audit.State.QUEUED


def test_it_returns_the_waiting_audit_instead_of_queueing_another(repository):
    first = pipeline.queue_audit(repository, "manual")
    assert pipeline.queue_audit(repository, "schedule") == first
    assert pipeline.queue_audit(repository, "manual", force=True) != first


def test_it_reaps_a_stuck_audit_and_requeues_it_once(repository, settings, django_capture_on_commit_callbacks):
    settings.AUDITOR_AUDIT_TIME_LIMIT = 60
    long_ago = timezone.now() - timedelta(minutes=10)
    stuck = AuditFactory(repository=repository, state=Audit.State.ANALYSING, started_at=long_ago, finished_at=None)
    fresh = AuditFactory(repository=repository, state=Audit.State.CLONING, started_at=timezone.now(), finished_at=None)
    with django_capture_on_commit_callbacks() as callbacks:
        reaped = reap_stuck_audits()
    assert reaped == [stuck.pk]
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.state == Audit.State.FAILED and "stopped responding" in stuck.failure_reason
    assert stuck.timed_out and not fresh.timed_out
    assert fresh.state == Audit.State.CLONING
    retry = Audit.objects.get(retry_of=stuck)
    assert retry.state == Audit.State.QUEUED and retry.attempt == 2
    # The steps after a failed audit were queued, then the retry was sent to a worker.
    assert len(callbacks) == 2

    # The retry gets stuck too: failed for good, not re-queued again.
    Audit.objects.filter(pk=retry.pk).update(state=Audit.State.CLONING, started_at=long_ago)
    assert reap_stuck_audits() == [retry.pk]
    assert not Audit.objects.filter(retry_of=retry).exists()


# --- matching findings across audits (store_results fed the engine's report shape) ------------


def statuses(audit: Audit) -> dict[str, str]:
    return dict(audit.findings.values_list("fingerprint", "status"))


def test_it_marks_findings_new_unchanged_fixed_and_reopened(db):
    repository = RepositoryFactory()
    one = store(repository, finding("a"), finding("b", "error"))
    assert statuses(one) == {"a": "new", "b": "new"}
    assert (one.new_count, one.fixed_count, one.error_count, one.warning_count) == (2, 0, 1, 1)

    two = store(repository, finding("a"), finding("c"))
    assert statuses(two) == {"a": "unchanged", "c": "new"}
    assert list(two.fixed_findings.values_list("fingerprint", flat=True)) == ["b"]
    assert (two.new_count, two.fixed_count) == (1, 1)

    three = store(repository, finding("a"), finding("b", "error"), finding("c"))
    assert statuses(three) == {"a": "unchanged", "b": "reopened", "c": "unchanged"}
    assert (three.new_count, three.reopened_count, three.fixed_count) == (0, 1, 0)


def test_it_counts_suppressed_findings_apart(db):
    audit = store(RepositoryFactory(), finding("a", "error", suppressed=True), finding("b", "info"))
    assert (audit.error_count, audit.info_count, audit.suppressed_count) == (0, 1, 1)
    assert audit.health_score == 99


def test_it_stores_everything_or_nothing(db, monkeypatch):
    repository = RepositoryFactory()
    audit = AuditFactory(repository=repository, state=Audit.State.ANALYSING, finished_at=None)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(InventorySnapshot.objects, "create", boom)
    with pytest.raises(RuntimeError):
        pipeline.store_results(audit, {"findings": [finding("a")], "inventory": {}})
    assert not Finding.objects.exists() and not FixedFinding.objects.exists()
    audit.refresh_from_db()
    assert audit.state == Audit.State.ANALYSING


def test_it_reports_what_the_real_engine_finds_in_the_demo_app(repository):
    audit = run(repository)
    # The demo app is written to trip rules: an engine that finds nothing there is broken.
    assert audit.findings.exists(), "the engine found nothing in the demo app"
    assert audit.finding_count == audit.findings.filter(suppressed=False).count()
    assert set(audit.findings.values_list("status", flat=True)) == {"new"}
    again = run(repository, force=True)
    assert set(again.findings.values_list("status", flat=True)) == {"unchanged"}


def test_it_stops_a_fetch_that_grows_past_the_size_limit(repository, settings):
    settings.AUDITOR_CLONE_MAX_BYTES = 1024
    audit = run(repository)
    assert audit.state == Audit.State.FAILED
    assert audit.failure_reason == "The repository is larger than the 0 MB limit."


def test_it_stops_a_fetch_that_takes_too_long(repository, settings):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    repository.url = f"http://127.0.0.1:{silent.getsockname()[1]}/acme/slow.git"
    repository.save()
    settings.AUDITOR_CLONE_TIMEOUT = 1
    try:
        audit = run(repository)
    finally:
        silent.close()
    assert audit.state == Audit.State.FAILED
    assert audit.failure_reason == "git did not finish within the time limit (1 s) while fetching."


def test_it_fails_an_audit_that_hits_the_soft_time_limit(repository, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(pipeline.gitops, "fetch_checkout", slow)
    audit = run(repository)
    assert audit.state == Audit.State.FAILED
    assert "took longer than" in audit.failure_reason


def test_it_checks_out_symlinks_as_plain_files(repository, local_remote):
    (local_remote.work / "convex" / "leak.ts").symlink_to("/etc/passwd")
    local_remote.commit("A symlink out of the repository")
    audit = run(repository)
    assert audit.state == Audit.State.DONE, audit.failure_reason
    checked_out = pipeline.checkout_dir(repository) / "convex" / "leak.ts"
    assert not checked_out.is_symlink()
    assert checked_out.read_text() == "/etc/passwd"


def test_it_audits_the_commit_a_push_names(repository, local_remote):
    first = local_remote.commit("First")
    local_remote.commit("Second")
    audit = pipeline.queue_audit(repository, "webhook", sha=first)
    audit_repository(repository.pk, "webhook", False, audit_id=audit.pk)
    audit.refresh_from_db()
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert audit.commit_sha == first


def test_it_starts_the_clone_cache_over_when_it_outgrew_the_size_limit(repository, local_remote, settings):
    assert run(repository).state == Audit.State.DONE
    junk = pipeline.checkout_dir(repository) / ".git" / "objects" / "junk"
    junk.write_bytes(b"\0" * 2 * 1024 * 1024)
    settings.AUDITOR_CLONE_MAX_BYTES = 1024 * 1024
    local_remote.write("convex/more.ts", "export const x = 1;\n")
    sha = local_remote.commit("More")
    audit = run(repository)
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert audit.commit_sha == sha
    assert not junk.exists()


def test_it_creates_the_audit_itself_when_called_with_a_repository_only(repository):
    audit_id = audit_repository(repository.pk, "api")
    audit = Audit.objects.get(pk=audit_id)
    assert audit.state == Audit.State.DONE, audit.failure_reason
    assert audit.trigger == "api"
    assert audit_repository(999_999, "api") is None  # a deleted repository is not an error


def test_it_compares_each_audit_with_the_previous_inventory_for_deploy_safety(repository, local_remote):
    first = run(repository)
    assert not first.findings.filter(rule__startswith="compat/").exists()  # nothing to compare with yet
    schema = (local_remote.work / "convex/schema.ts").read_text()
    pinned = schema.replace("channel: v.string(),", "channel: v.string(),\n    pinned: v.boolean(),")
    local_remote.write("convex/schema.ts", pinned)
    local_remote.commit("Pin messages")
    second = run(repository)
    assert second.state == Audit.State.DONE, second.failure_reason
    compat = list(second.findings.filter(rule__startswith="compat/").values_list("rule", "path"))
    assert compat == [("compat/required-field-added", "convex/schema.ts")]
    assert second.stats["baseline"] is True


def test_it_audits_without_compat_rules_when_the_previous_inventory_predates_them(repository, local_remote):
    first = run(repository)
    snapshot = InventorySnapshot.objects.get(audit=first)
    # An inventory stored by an engine that did not record argument validators yet.
    snapshot.functions = [{k: v for k, v in row.items() if k != "args_shape"} for row in snapshot.functions]
    snapshot.save()
    assert pipeline.compat_baseline(AuditFactory(repository=repository)) is None
    local_remote.write("convex/extra.ts", 'import { query } from "./_generated/server";\n'
                       "export const ping = query({ args: {}, handler: async () => 'pong' });\n")
    local_remote.commit("Add ping")
    second = run(repository)
    assert second.state == Audit.State.DONE, second.failure_reason
    assert second.stats["baseline"] is False
