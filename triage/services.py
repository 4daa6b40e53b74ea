"""Decisions, their history, and which findings of an audit count as dismissed or ignored."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from projects.models import Audit, Finding, Repository
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


def dismissed_states(repository_id: int, fingerprints: Iterable[str] | None = None) -> dict[str, str]:
    """fingerprint → state for the repository's accepted-risk and false-positive decisions."""
    rows = TriageDecision.objects.filter(repository_id=repository_id, state__in=DISMISSED_STATES)
    if fingerprints is not None:
        wanted = set(fingerprints)
        if len(wanted) < 500:
            rows = rows.filter(fingerprint__in=wanted)
        return {fp: st for fp, st in rows.values_list("fingerprint", "state") if fp in wanted}
    return dict(rows.values_list("fingerprint", "state"))


@dataclass
class Dismissal:
    """What triage and ignore rules take out of a repository's findings."""

    states: dict[str, str]
    rules: list[IgnoreRule]

    def reason(self, fingerprint: str, rule: str, path: str) -> str | None:
        """'accepted_risk', 'false_positive', 'ignored', or None for a finding that counts."""
        state = self.states.get(fingerprint)
        if state:
            return state
        if any(r.matches(rule, path) for r in self.rules):
            return "ignored"
        return None

    def digest(self) -> str:
        """Changes whenever what this takes out changes: part of the key of a cached rendering."""
        rules = sorted((rule.rule, rule.path_glob) for rule in self.rules)
        payload = json.dumps([sorted(self.states.items()), rules])
        return hashlib.sha256(payload.encode()).hexdigest()


def dismissal_for(repository_id: int, fingerprints: Iterable[str] | None = None) -> Dismissal:
    return Dismissal(dismissed_states(repository_id, fingerprints), list(IgnoreRule.objects.filter(
        repository_id=repository_id)))


@dataclass
class TriageCounts:
    open: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    accepted_risk: int = 0
    false_positive: int = 0
    ignored: int = 0
    by_ignore_rule: Counter = field(default_factory=Counter)

    @property
    def open_total(self) -> int:
        return sum(self.open.values())

    @property
    def dismissed_total(self) -> int:
        return self.accepted_risk + self.false_positive + self.ignored


def audit_counts(audit: Audit, dismissal: Dismissal | None = None) -> TriageCounts:
    """Counts of an audit's (unsuppressed) findings, split into open, triaged and ignored.

    `dismissal`: the repository's, when the caller has read it already.
    """
    result = audit.result
    if dismissal is None:
        dismissal = dismissal_for(audit.repository_id)
    counts = TriageCounts()
    if not dismissal.states and not dismissal.rules:
        counts.open = dict(audit.counts())  # nothing triaged or ignored: the stored counts hold
        return counts
    rows: list[dict[str, Any]] = list(
        result.findings.filter(suppressed=False).values("fingerprint", "rule", "path", "severity")
    )
    for row in rows:
        reason = dismissal.reason(row["fingerprint"], row["rule"], row["path"])
        if reason is None:
            counts.open[row["severity"]] = counts.open.get(row["severity"], 0) + 1
        elif reason == "ignored":
            counts.ignored += 1
            for rule in dismissal.rules:
                if rule.matches(row["rule"], row["path"]):
                    counts.by_ignore_rule[rule.pk] += 1
                    break
        else:
            setattr(counts, reason, getattr(counts, reason) + 1)
    return counts
