"""What a pull request's audit puts on GitHub: the "Convex Auditor" check run (its summary and
annotations on the new findings' lines), the one summary comment, and optionally SARIF.

New and fixed are those stored for the audit against the base branch's audit it was queued
with (the pipeline's comparison), and the check's conclusion is the quality gate judged on the
findings the pull request introduces.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from githubkit import GitHub

from auditor.engine.config import CONFIG_NAME
from gates import services as gates
from githubapp import client
from githubapp.models import GitHubRepository, PullRequest, PullRequestAudit
from projects import comparison as comparisons
from projects.models import Audit, Finding, FixedFinding
from projects.pipeline import NOT_HONOURED

CHECK_NAME = "Convex Auditor"
COMMENT_MARKER = "<!-- convex-auditor:pull-request-summary -->"
ANNOTATIONS_PER_REQUEST = 50  # GitHub's limit for one create or update of a check run
TOP_FINDINGS = 10
SUMMARY_LIMIT = 60000  # GitHub refuses output.summary over 65,535 characters
COMPAT_PREFIX = "compat/"
LEVELS = {"error": "failure", "warning": "warning", "info": "notice"}
SEVERITIES = ("error", "warning", "info")
SUPPRESSION_MARKER = "convex-audit-ignore-next-line"
UNSUPPRESSED_NOTE = f"its `{SUPPRESSION_MARKER}` comment is not honoured: the pull request comes from a fork"


def audit_url(audit: Audit) -> str:
    return settings.SITE_URL + reverse("reports:audit", args=[audit.pk])


def _repository_client(link: GitHubRepository) -> tuple[GitHub, str, str]:
    """A client holding a token minted now for this repository alone, and its owner and name."""
    return client.installation(link.installation.installation_id, [link.github_id]), link.owner, link.name


@dataclass
class Comparison:
    new: list[Finding] = field(default_factory=list)
    fixed: list[FixedFinding] = field(default_factory=list)
    conclusion: str = "neutral"
    gate_lines: list[str] = field(default_factory=list)

    @property
    def new_compat(self) -> list[Finding]:
        return [f for f in self.new if f.rule.startswith(COMPAT_PREFIX)]

    @property
    def fixed_compat(self) -> list[FixedFinding]:
        return [f for f in self.fixed if f.rule.startswith(COMPAT_PREFIX)]


def compare(run: PullRequestAudit) -> Comparison:
    """New findings (open ones: not suppressed, dismissed or ignored), fixed ones, and the gate."""
    audit = run.audit
    # Stored by projects.comparison against run.base_audit when the audit was stored.
    new = list(comparisons.new_findings(audit))
    fixed = sorted(comparisons.fixed_findings(audit), key=lambda f: (f.path, f.line, f.id))
    result = gates.evaluate(audit)
    if result is None:
        conclusion, lines = "neutral", ["The quality gate is off for this repository."]
    else:
        conclusion = "success" if result.status == result.Status.PASSED else "failure"
        lines = [
            f"{'✅' if d['passed'] else '❌'} {d['condition']}: {d['count']} new (at most {d['max']})"
            for d in result.details
        ]
    return Comparison(new=new, fixed=fixed, conclusion=conclusion, gate_lines=lines)


def _counts(items: list[Any]) -> Counter:
    return Counter(item.severity for item in items)


def _location(path: str, line: int) -> str:
    return f"`{path}:{line}`" if line else f"`{path}`"


def _not_honoured(finding: Finding) -> bool:
    return isinstance(finding.suppression, str) and finding.suppression.startswith(NOT_HONOURED)


def _fork_lines(run: PullRequestAudit) -> list[str]:
    """What a pull request from a fork is judged by (projects.pipeline.BaseRules), said once."""
    rules = (run.audit.stats or {}).get("base_rules")
    if not run.head_repository or not isinstance(rules, dict):
        return []
    base = str(rules.get("base") or run.base_ref)
    shown = f"`{base[:7]}`" if len(base) == 40 else f"`{base}`"
    config = (f"the base commit's `{CONFIG_NAME}` ({shown})" if rules.get("config")
              else f"no `{CONFIG_NAME}` (the base, {shown}, has none)")
    lines = [f"From the fork `{run.head_repository}`: judged with {config}; the fork's own is not used."]
    reopened = rules.get("suppressions_not_honoured") or 0
    if reopened:
        lines.append(
            f"{reopened} new finding{'s' if reopened != 1 else ''} suppressed by `{SUPPRESSION_MARKER}` "
            "comments count as open: a change from a fork cannot suppress its own findings."
        )
    return [*lines, ""]


def summary_markdown(run: PullRequestAudit, comparison: Comparison) -> str:
    audit = run.audit
    base = run.base_audit
    verdict = {"success": "✅ Passed", "failure": "❌ Failed", "neutral": "No gate"}[comparison.conclusion]
    score = audit.health_score if audit.health_score is not None else "n/a"
    lines = [
        f"**Quality gate: {verdict}** · health score **{score}**"
        + (f" (base: {base.health_score})" if base is not None and base.health_score is not None else ""),
        "",
        f"Pull request #{run.pull_request.number} at `{run.head_sha[:7]}` compared with "
        + (f"`{run.base_ref}` at `{base.commit_sha[:7]}` (audit #{base.pk})." if base else
           f"`{run.base_ref}`, which has no audit yet: every finding counts as new."),
        "",
        *_fork_lines(run),
        "| Severity | New | Fixed |",
        "| --- | ---: | ---: |",
    ]
    new_counts, fixed_counts = _counts(comparison.new), _counts(comparison.fixed)
    for severity in SEVERITIES:
        lines.append(f"| {severity.capitalize()} | {new_counts[severity]} | {fixed_counts[severity]} |")
    lines += ["", "**Gate conditions**", *[f"- {line}" for line in comparison.gate_lines]]
    new_compat, fixed_compat = comparison.new_compat, comparison.fixed_compat
    lines += ["", "**Deploy safety** (`compat/*`)"]
    if not new_compat and not fixed_compat:
        lines.append("- No change.")
    lines += [f"- ⚠️ new: `{f.rule}` at {_location(f.path, f.line)}: {f.message}" for f in new_compat]
    lines += [f"- ✔️ fixed: `{f.rule}` at {_location(f.path, f.line)}" for f in fixed_compat]
    if comparison.new:
        lines += ["", f"**Top new findings** ({len(comparison.new)} in all)"]
        for f in comparison.new[:TOP_FINDINGS]:
            lines.append(f"- **{f.severity}** `{f.rule}` at {_location(f.path, f.line)}: {f.message}"
                         + (f" _({UNSUPPRESSED_NOTE})_" if _not_honoured(f) else ""))
    else:
        lines += ["", "No new findings."]
    lines += ["", f"[Full report]({audit_url(audit)})"]
    text = "\n".join(lines)
    return text if len(text) <= SUMMARY_LIMIT else text[:SUMMARY_LIMIT] + "\n\n…(cut; see the full report)"


def annotations(comparison: Comparison) -> list[dict[str, Any]]:
    rows = []
    for f in comparison.new:
        if not f.path or f.line < 1:
            continue
        end_line = max(f.end_line, f.line)
        row: dict[str, Any] = {
            "path": f.path,
            "start_line": f.line,
            "end_line": end_line,
            "annotation_level": LEVELS.get(f.severity, "notice"),
            "title": f.rule,
            "message": ((f.message or f.rule) + (f"\n\n({UNSUPPRESSED_NOTE})" if _not_honoured(f) else ""))[:60000],
        }
        if end_line == f.line and f.column and f.end_column > f.column:
            # Columns only on one-line annotations (GitHub's rule); GitHub's are 1-based.
            row["start_column"], row["end_column"] = f.column + 1, f.end_column + 1
        rows.append(row)
    return rows


def _title(run: PullRequestAudit, comparison: Comparison) -> str:
    new = len(comparison.new)
    fixed = len(comparison.fixed)
    return f"{new} new finding{'s' if new != 1 else ''}, {fixed} fixed"


def start_check_run(run: PullRequestAudit) -> None:
    """Create the check run as queued, as the audit is queued (once: a second call, or one after
    the worker already started the audit, changes nothing)."""
    link = run.pull_request.github_repository
    with transaction.atomic():
        run = PullRequestAudit.objects.select_for_update().select_related("audit").get(pk=run.pk)
        if run.check_run_id is not None:
            return
        gh, owner, name = _repository_client(link)
        with client.call():
            response = gh.rest.checks.create(
                owner,
                name,
                data={
                    "name": CHECK_NAME,
                    "head_sha": run.head_sha,
                    "status": "queued",
                    "external_id": str(run.audit_id),
                    "details_url": audit_url(run.audit),
                    "output": {
                        "title": "Waiting for a worker…",
                        "summary": f"The audit of `{run.head_sha[:7]}` against `{run.base_ref}` is queued.",
                    },
                },
            )
        run.check_run_id = response.parsed_data.id
        run.check_state = PullRequestAudit.CheckState.QUEUED
        run.save(update_fields=["check_run_id", "check_state"])


def mark_in_progress(run: PullRequestAudit) -> None:
    """The worker started the audit: the check run moves to in_progress (created so if the queued
    one is not there yet). Never moves a completed check run back."""
    link = run.pull_request.github_repository
    with transaction.atomic():
        run = PullRequestAudit.objects.select_for_update().select_related("audit").get(pk=run.pk)
        if run.check_state in (PullRequestAudit.CheckState.IN_PROGRESS, PullRequestAudit.CheckState.COMPLETED):
            return
        gh, owner, name = _repository_client(link)
        data: dict[str, Any] = {
            "status": "in_progress",
            "started_at": run.audit.started_at or timezone.now(),
            "details_url": audit_url(run.audit),
            "output": {
                "title": "Auditing…",
                "summary": f"Auditing `{run.head_sha[:7]}` against `{run.base_ref}`.",
            },
        }
        with client.call():
            if run.check_run_id is None:
                response = gh.rest.checks.create(
                    owner,
                    name,
                    data={"name": CHECK_NAME, "head_sha": run.head_sha, "external_id": str(run.audit_id), **data},
                )
                run.check_run_id = response.parsed_data.id
            else:
                gh.rest.checks.update(owner, name, run.check_run_id, data=data)
        run.check_state = PullRequestAudit.CheckState.IN_PROGRESS
        run.save(update_fields=["check_run_id", "check_state"])


def complete_check_run(run: PullRequestAudit) -> None:
    """Complete the check run with the gate's conclusion, then add annotations 50 at a time.

    Safe to repeat: how many annotations went out is stored after each request, so a retry
    sends only the rest.
    """
    link = run.pull_request.github_repository
    audit = run.audit
    gh, owner, name = _repository_client(link)
    if audit.state == Audit.State.FAILED:
        output = {"title": _failed_title(audit), "summary": _failed_text(audit)}
        # Out of time says nothing of the change, but it was not judged either: timed_out, which
        # GitHub shows as a failed check; anything else that stops an audit (a branch gone, an
        # engine that cannot start) is neutral.
        conclusion, notes = ("timed_out" if audit.timed_out else "neutral"), []
    else:
        comparison = compare(run)
        output = {"title": _title(run, comparison), "summary": summary_markdown(run, comparison)}
        conclusion, notes = comparison.conclusion, annotations(comparison)
    with transaction.atomic():
        run = PullRequestAudit.objects.select_for_update().get(pk=run.pk)
        if run.check_run_id is None:
            with client.call():
                created = gh.rest.checks.create(
                    owner,
                    name,
                    data={"name": CHECK_NAME, "head_sha": run.head_sha, "status": "in_progress",
                          "external_id": str(run.audit_id), "details_url": audit_url(audit)},
                )
            run.check_run_id = created.parsed_data.id
            run.save(update_fields=["check_run_id"])
        if run.check_state != PullRequestAudit.CheckState.COMPLETED:
            with client.call():
                gh.rest.checks.update(
                    owner,
                    name,
                    run.check_run_id,
                    data={
                        "status": "completed",
                        "conclusion": conclusion,
                        "completed_at": audit.finished_at or timezone.now(),
                        "details_url": audit_url(audit),
                        "output": {**output, "annotations": notes[:ANNOTATIONS_PER_REQUEST]},
                    },
                )
            run.check_state = PullRequestAudit.CheckState.COMPLETED
            run.conclusion = conclusion
            run.annotations_sent = min(len(notes), ANNOTATIONS_PER_REQUEST)
            run.save(update_fields=["check_state", "conclusion", "annotations_sent"])
    while run.annotations_sent < len(notes):
        batch = notes[run.annotations_sent : run.annotations_sent + ANNOTATIONS_PER_REQUEST]
        with client.call():
            gh.rest.checks.update(owner, name, run.check_run_id, data={"output": {**output, "annotations": batch}})
        run.annotations_sent += len(batch)
        PullRequestAudit.objects.filter(pk=run.pk).update(annotations_sent=run.annotations_sent)


def _failed_title(audit: Audit) -> str:
    return "The audit timed out" if audit.timed_out else "The audit could not run"


def _failed_text(audit: Audit) -> str:
    reason = audit.failure_reason or "The audit failed."
    if audit.timed_out and audit.retries.exists():
        reason += " Its result will be published as a check run of its own, and here."
    return f"{reason}\n\n[Audit page]({audit_url(audit)})"


def comment_body(run: PullRequestAudit) -> str:
    audit = run.audit
    if audit.state == Audit.State.FAILED:
        text = f"{_failed_title(audit)} (`{run.head_sha[:7]}`): {_failed_text(audit)}"
    else:
        text = summary_markdown(run, compare(run))
    return f"{COMMENT_MARKER}\n### {CHECK_NAME}\n\n{text}\n"


def update_comment(run: PullRequestAudit) -> None:
    """Create or update the pull request's one summary comment (found by its hidden marker)."""
    link = run.pull_request.github_repository
    published = PullRequestAudit.objects.filter(pk=run.pk, comment_published=True).exists()
    if not link.pull_request_comments or published:
        return
    body = comment_body(run)
    gh, owner, name = _repository_client(link)
    with transaction.atomic():
        # One writer per pull request at a time, or two pushes could each post a comment.
        pull_request = PullRequest.objects.select_for_update().get(pk=run.pull_request_id)
        if superseded(run):
            return
        comment_id = pull_request.comment_id
        if comment_id is not None:
            try:
                with client.call():
                    gh.rest.issues.update_comment(owner, name, comment_id, data={"body": body})
            except client.RequestFailed as error:
                if client.status_of(error) != 404:
                    raise
                comment_id = None  # deleted by someone on GitHub: find or post again
        if comment_id is None:
            comment_id = _find_comment(gh, owner, name, pull_request.number)
            with client.call():
                if comment_id is not None:
                    gh.rest.issues.update_comment(owner, name, comment_id, data={"body": body})
                else:
                    comment_id = gh.rest.issues.create_comment(
                        owner, name, pull_request.number, data={"body": body}
                    ).parsed_data.id
            pull_request.comment_id = comment_id
            pull_request.save(update_fields=["comment_id"])
        PullRequestAudit.objects.filter(pk=run.pk).update(comment_published=True)


def superseded(run: PullRequestAudit) -> bool:
    """Whether the summary comment has moved past this run: the pull request's head changed since
    (a reaped audit's result, or a late one, never overwrites a newer head's summary), or a later
    attempt at the same head (the reaper's retry) already published."""
    queued = run.pk
    retry_of = Audit.objects.filter(pk=run.audit_id).values_list("retry_of_id", flat=True).first()
    if retry_of is not None:
        # A retry stands where its first attempt was queued.
        queued = PullRequestAudit.objects.filter(audit_id=retry_of).values_list("pk", flat=True).first() or queued
    later_heads = PullRequestAudit.objects.filter(
        pull_request_id=run.pull_request_id, audit__retry_of__isnull=True, pk__gt=queued
    ).exclude(head_sha=run.head_sha)
    if later_heads.exists():
        return True
    return PullRequestAudit.objects.filter(
        pull_request_id=run.pull_request_id, head_sha=run.head_sha, audit__retry_of=run.audit_id,
        comment_published=True,
    ).exists()


def _find_comment(gh, owner: str, name: str, number: int) -> int | None:
    for comment in client.pages(
        lambda page: gh.rest.issues.list_comments(owner, name, number, per_page=100, page=page),
        lambda data: data,
    ):
        if COMMENT_MARKER in (comment.body or ""):
            return comment.id
    return None


def sarif_payload(audit: Audit) -> str:
    """The audit's SARIF, gzipped and base64-encoded as code scanning's upload wants it."""
    from reports.exports import export_sarif

    raw = json.dumps(export_sarif(audit), separators=(",", ":")).encode()
    return base64.b64encode(gzip.compress(raw)).decode()


def upload_sarif(link: GitHubRepository, audit: Audit, ref: str) -> str:
    gh, owner, name = _repository_client(link)
    with client.call():
        receipt = gh.rest.code_scanning.upload_sarif(
            owner,
            name,
            data={"commit_sha": audit.commit_sha, "ref": ref, "sarif": sarif_payload(audit), "tool_name": CHECK_NAME},
        )
    return receipt.parsed_data.id or ""
