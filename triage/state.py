"""A finding's one effective state: open, dismissed, ignored, or suppressed in source.

The state is written on each Finding row (`Finding.state`) when its audit is stored and again
whenever a triage decision or an ignore rule changes, and each audit's counts and health score
are recounted from it. Every count, the score, the findings list, the gate, digests, the API and
the exports read `Finding.state` and the audit's stored counts; `Book.explain` says why (kind,
who, when and comment of a dismissal; the ignore rule; the source comment).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from auditor.engine.score import ScoredFinding, compute_score
from projects.models import Audit, Finding
from triage.models import DISMISSED_STATES, IgnoreRule, TriageDecision, TriageState

State = Finding.State
CHUNK = 500


@dataclass(frozen=True)
class Effective:
    """Why a finding is in its state, for pages, the API and exports."""

    state: str
    kind: str = ""  # accepted_risk or false_positive, when dismissed
    by: str = ""  # who dismissed it (e-mail)
    at: datetime | None = None
    comment: str = ""
    ignore_rule: IgnoreRule | None = None
    suppression: str = ""  # the source comment, when suppressed there

    @property
    def label(self) -> str:
        if self.state == State.DISMISSED and self.kind:
            return TriageState(self.kind).label
        if self.state == State.IGNORED:
            return "Ignored by a rule"
        return State(self.state).label

    @property
    def justification(self) -> str:
        """One sentence saying why the finding does not count ("" while open)."""
        if self.state == State.DISMISSED:
            who = f" by {self.by}" if self.by else ""
            when = f" on {self.at:%Y-%m-%d}" if self.at else ""
            return f"{TriageState(self.kind).label}{who}{when}: {self.comment}".strip()
        if self.state == State.IGNORED and self.ignore_rule is not None:
            rule = self.ignore_rule
            return f"Ignored by the rule {rule.rule} in {rule.path_glob}: {rule.reason}"
        if self.state == State.SUPPRESSED:
            return self.suppression or "Suppressed in source"
        return ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "dismissed": {"kind": self.kind, "by": self.by, "at": self.at.isoformat() if self.at else None,
                          "comment": self.comment} if self.state == State.DISMISSED else None,
            "ignore_rule": {"id": self.ignore_rule.pk, "rule": self.ignore_rule.rule,
                            "path_glob": self.ignore_rule.path_glob, "reason": self.ignore_rule.reason}
            if self.ignore_rule is not None else None,
            "justification": self.justification,
        }


def suppression_text(suppression: Any) -> str:
    if not suppression:
        return ""
    return suppression if isinstance(suppression, str) else json.dumps(suppression, sort_keys=True)


@dataclass
class Book:
    """A repository's triage decisions and ignore rules: what decides each finding's state."""

    decisions: dict[str, TriageDecision]
    rules: list[IgnoreRule]

    def ignore_rule_for(self, rule: str, path: str) -> IgnoreRule | None:
        return next((r for r in self.rules if r.matches(rule, path)), None)

    def state(self, fingerprint: str, rule: str, path: str, suppressed: bool) -> str:
        if suppressed:
            return State.SUPPRESSED
        decision = self.decisions.get(fingerprint)
        if decision is not None and decision.state in DISMISSED_STATES:
            return State.DISMISSED
        if self.ignore_rule_for(rule, path) is not None:
            return State.IGNORED
        return State.OPEN

    def explain(self, finding: Finding) -> Effective:
        state = finding.state
        if state == State.DISMISSED:
            decision = self.decisions.get(finding.fingerprint)
            if decision is not None:
                by = decision.updated_by.email if decision.updated_by_id and decision.updated_by else ""
                return Effective(state, decision.state, by, decision.updated_at, decision.comment)
        if state == State.IGNORED:
            return Effective(state, ignore_rule=self.ignore_rule_for(finding.rule, finding.path))
        if state == State.SUPPRESSED:
            return Effective(state, suppression=suppression_text(finding.suppression))
        return Effective(state)

    def digest(self) -> str:
        """Changes whenever a decision or rule changes: part of the key of a cached rendering."""
        decisions = sorted((fp, d.state, d.comment, str(d.updated_at)) for fp, d in self.decisions.items())
        rules = sorted((r.pk, r.rule, r.path_glob, r.reason) for r in self.rules)
        return hashlib.sha256(repr([decisions, rules]).encode()).hexdigest()


def book_for(repository_id: int) -> Book:
    decisions = TriageDecision.objects.filter(repository_id=repository_id).select_related("updated_by")
    return Book(
        {d.fingerprint: d for d in decisions if d.state in DISMISSED_STATES},
        list(IgnoreRule.objects.filter(repository_id=repository_id)),
    )


# --- writing the state ---------------------------------------------------------------------------


def _write_states(rows: Iterable[tuple[int, str, str, str, bool, str]], book: Book) -> set[int]:
    """(id, fingerprint, rule, path, suppressed, state) rows: update those whose state changes;
    returns the ids of the audits those findings belong to."""
    changes: dict[str, list[int]] = defaultdict(list)
    for pk, fingerprint, rule, path, suppressed, current in rows:
        wanted = book.state(fingerprint, rule, path, suppressed)
        if wanted != current:
            changes[wanted].append(pk)
    touched: set[int] = set()
    for state, ids in changes.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            touched.update(Finding.objects.filter(pk__in=chunk).values_list("audit_id", flat=True).distinct())
            Finding.objects.filter(pk__in=chunk).update(state=state)
    return touched


@transaction.atomic
def refresh(repository_id: int, fingerprints: Iterable[str] | None = None) -> None:
    """Re-decide the state of the repository's findings (all, or those fingerprints) after a
    triage decision or an ignore rule changed, and recount the audits whose findings moved."""
    book = book_for(repository_id)
    rows = Finding.objects.filter(audit__repository_id=repository_id)
    if fingerprints is not None:
        rows = rows.filter(fingerprint__in=list(fingerprints))
    touched = _write_states(rows.values_list("pk", "fingerprint", "rule", "path", "suppressed", "state"), book)
    if touched:
        audits = Audit.objects.filter(state=Audit.State.DONE).filter(pk__in=touched) | Audit.objects.filter(
            state=Audit.State.DONE, reused_from_id__in=touched
        )
        recount(list(audits.distinct()))


def initial_state(book: Book, finding: dict[str, Any]) -> str:
    """The state of a finding in the engine's report shape, as it is stored."""
    return book.state(finding["fingerprint"], finding["rule"], finding.get("path") or "",
                      bool(finding.get("suppressed")))


def recount(audits: list[Audit]) -> None:
    """Store each audit's counts and health score from its findings' effective states."""
    if not audits:
        return
    sources = {audit.pk: audit.result.pk for audit in audits}
    per_source: dict[int, list[tuple[str, str, str, str]]] = defaultdict(list)
    rows = Finding.objects.filter(audit_id__in=set(sources.values())).values_list(
        "audit_id", "rule", "severity", "state", "status"
    )
    for audit_id, rule, severity, state, status in rows:
        per_source[audit_id].append((rule, severity, state, status))
    for audit in audits:
        findings = per_source.get(sources[audit.pk], [])
        states = Counter(state for _rule, _severity, state, _status in findings)
        open_rows = [(rule, severity, status) for rule, severity, state, status in findings if state == State.OPEN]
        severities = Counter(severity for _rule, severity, _status in open_rows)
        audit.error_count = severities["error"]
        audit.warning_count = severities["warning"]
        audit.info_count = severities["info"]
        audit.suppressed_count = states[State.SUPPRESSED]
        audit.dismissed_count = states[State.DISMISSED]
        audit.ignored_count = states[State.IGNORED]
        if audit.reused_from_id:
            audit.new_count = audit.reopened_count = 0
        else:
            audit.new_count = sum(status == Finding.Status.NEW for _r, _s, status in open_rows)
            audit.reopened_count = sum(status == Finding.Status.REOPENED for _r, _s, status in open_rows)
        audit.health_score = score_of(audit.result, open_rows, dismissed_any=bool(
            states[State.DISMISSED] or states[State.IGNORED]))
        Audit.objects.filter(pk=audit.pk).update(
            error_count=audit.error_count, warning_count=audit.warning_count, info_count=audit.info_count,
            suppressed_count=audit.suppressed_count, dismissed_count=audit.dismissed_count,
            ignored_count=audit.ignored_count, new_count=audit.new_count, reopened_count=audit.reopened_count,
            health_score=audit.health_score,
        )


def score_of(result: Audit, open_rows: list[tuple[str, str, str]], *, dismissed_any: bool) -> int | None:
    """The engine's score while nothing is dismissed or ignored; else the same formula over the
    open findings."""
    engine_total = (result.score or {}).get("total") if isinstance(result.score, dict) else None
    if not dismissed_any and isinstance(engine_total, int | float):
        return max(0, min(100, round(engine_total)))
    return int(compute_score(ScoredFinding(rule, severity) for rule, severity, _status in open_rows)["total"])  # type: ignore[call-overload]
