"""Decisions, ignore rules and their history; each change re-decides the findings' effective
state (triage.state)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from projects.models import Audit, Finding, Repository
from triage import state as finding_state
from triage.models import DISMISSED_STATES, IgnoreRule, TriageDecision, TriageEvent, TriageState


@transaction.atomic
def decide(
    repository: Repository,
    fingerprint: str,
    state: str,
    *,
    user,
    comment: str = "",
    finding: Finding | None = None,
) -> TriageEvent:
    """Change a finding's triage state and record the event. Marking needs a comment."""
    comment = comment.strip()
    if state not in TriageState.values:
        raise ValidationError("Unknown triage state.")
    if state in DISMISSED_STATES and not comment:
        raise ValidationError("Say why: a comment is required.")
    decision, _ = TriageDecision.objects.select_for_update().get_or_create(
        repository=repository, fingerprint=fingerprint
    )
    if decision.state == state:
        raise ValidationError(f"The finding is already {TriageState(state).label.lower()}.")
    event = TriageEvent.objects.create(
        repository=repository,
        fingerprint=fingerprint,
        finding=finding,
        user=user,
        from_state=decision.state,
        to_state=state,
        comment=comment,
    )
    decision.state = state
    decision.comment = comment
    decision.updated_by = user
    decision.updated_at = timezone.now()
    decision.save()
    finding_state.refresh(repository.pk, [fingerprint])
    return event


BULK_CHUNK = 500  # fingerprints per IN list


@transaction.atomic
def decide_many(
    repository: Repository, findings: dict[str, int | None], state: str, *, user, comment: str = ""
) -> int:
    """One decision and comment for many findings (fingerprint → the finding row it was made
    from), recorded as one event each. Findings already in `state` are left alone; returns
    how many changed."""
    comment = comment.strip()
    if state not in TriageState.values:
        raise ValidationError("Unknown triage state.")
    if state in DISMISSED_STATES and not comment:
        raise ValidationError("Say why: a comment is required.")
    fingerprints = list(findings)
    existing: dict[str, TriageDecision] = {}
    for start in range(0, len(fingerprints), BULK_CHUNK):
        chunk = fingerprints[start : start + BULK_CHUNK]
        for decision in TriageDecision.objects.select_for_update().filter(
            repository=repository, fingerprint__in=chunk
        ):
            existing[decision.fingerprint] = decision
    now = timezone.now()
    changed = [fp for fp in fingerprints if (existing[fp].state if fp in existing else TriageState.OPEN) != state]
    TriageEvent.objects.bulk_create(
        [
            TriageEvent(
                repository=repository, fingerprint=fp, finding_id=findings[fp], user=user,
                from_state=existing[fp].state if fp in existing else TriageState.OPEN, to_state=state,
                comment=comment, created_at=now,
            )
            for fp in changed
        ],
        batch_size=BULK_CHUNK,
    )
    TriageDecision.objects.bulk_create(
        [
            TriageDecision(repository=repository, fingerprint=fp, state=state, comment=comment, updated_by=user,
                           updated_at=now)
            for fp in changed if fp not in existing
        ],
        batch_size=BULK_CHUNK,
    )
    updated = [existing[fp].pk for fp in changed if fp in existing]
    for start in range(0, len(updated), BULK_CHUNK):
        TriageDecision.objects.filter(pk__in=updated[start : start + BULK_CHUNK]).update(
            state=state, comment=comment, updated_by=user, updated_at=now
        )
    finding_state.refresh(repository.pk, changed)
    return len(changed)


def state_of(repository_id: int, fingerprint: str) -> str:
    return (
        TriageDecision.objects.filter(repository_id=repository_id, fingerprint=fingerprint)
        .values_list("state", flat=True)
        .first()
        or TriageState.OPEN
    )


def history(repository_id: int, fingerprint: str) -> QuerySet[TriageEvent]:
    return TriageEvent.objects.filter(repository_id=repository_id, fingerprint=fingerprint).select_related("user")


@dataclass
class TriageCounts:
    """An audit's findings by effective state, as stored on it (triage.state)."""

    open: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    dismissed: int = 0
    ignored: int = 0
    suppressed: int = 0

    @property
    def open_total(self) -> int:
        return sum(self.open.values())

    @property
    def dismissed_total(self) -> int:
        return self.dismissed + self.ignored


def audit_counts(audit: Audit) -> TriageCounts:
    return TriageCounts(dict(audit.counts()), audit.dismissed_count, audit.ignored_count, audit.suppressed_count)


def ignored_by_rule(audit: Audit, book: finding_state.Book) -> Counter:
    """Ignore rule id → how many of the audit's findings it takes out (the first rule matching)."""
    counts: Counter = Counter()
    rows = audit.result.findings.filter(state=Finding.State.IGNORED).values_list("rule", "path")
    for rule, path in rows:
        matched = book.ignore_rule_for(rule, path)
        if matched is not None:
            counts[matched.pk] += 1
    return counts


def known_rule_ids() -> list[str]:
    from auditor.engine.rules import all_rules

    return sorted(rule.id for rule in all_rules())


def validate_rule_pattern(pattern: str) -> str:
    """A rule id, or a glob matching at least one; anything else is refused with the known ids."""
    pattern = pattern.strip()
    known = known_rule_ids()
    if not any(fnmatchcase(rule_id, pattern) for rule_id in known):
        raise ValidationError(
            f"No rule is called {pattern!r}. Use a rule id or a glob such as auth/* or *. "
            f"Known rule ids: {', '.join(known)}."
        )
    return pattern


@transaction.atomic
def add_ignore_rule(repository: Repository, *, rule: str, path_glob: str, reason: str, user) -> IgnoreRule:
    """Save an ignore rule and re-decide the state of the repository's findings."""
    ignore = IgnoreRule.objects.create(
        repository=repository, rule=validate_rule_pattern(rule), path_glob=path_glob or "*", reason=reason,
        created_by=user,
    )
    finding_state.refresh(repository.pk)
    return ignore


@transaction.atomic
def remove_ignore_rule(ignore: IgnoreRule) -> None:
    repository_id = ignore.repository_id
    ignore.delete()
    finding_state.refresh(repository_id)


def refresh_gate(repository: Repository) -> None:
    """Triage and ignore rules change what counts: re-judge the latest audit's gate (a write
    made by the change, never by a page that reads)."""
    from gates.services import evaluate  # gates builds on triage, not the other way round

    if repository.last_audit_id:
        evaluate(repository.last_audit)
