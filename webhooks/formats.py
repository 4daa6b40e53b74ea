"""The outgoing webhook's message formats: our signed JSON, or a chat message (Slack's incoming
webhooks, or a Teams incoming webhook / Workflows trigger as an Adaptive Card) with the gate
result and the new findings."""

from __future__ import annotations

from typing import Any

from webhooks.models import OutgoingWebhook

MAX_LISTED = 10
ICONS = {"passed": "✅", "failed": "❌", None: "⚪"}


def render(format: str, payload: dict[str, Any]) -> dict[str, Any]:
    if format == OutgoingWebhook.Format.SLACK:
        return slack(payload)
    if format == OutgoingWebhook.Format.TEAMS:
        return teams(payload)
    return payload


def _headline(payload: dict[str, Any]) -> str:
    gate = payload.get("gate") or {}
    audit = payload.get("audit") or {}
    repository = payload.get("repository") or {}
    status = gate.get("status")
    verdict = {"passed": "passed", "failed": "failed"}.get(status, "was not judged (gate off)")
    commit = (audit.get("commit") or "")[:7]
    return f"{ICONS.get(status, ICONS[None])} {repository.get('name', '')} @ {commit}: quality gate {verdict}"


def _counts(payload: dict[str, Any]) -> str:
    audit = payload.get("audit") or {}
    counts = audit.get("counts") or {}
    return (
        f"{audit.get('new', 0)} new, {audit.get('fixed', 0)} fixed · "
        f"{counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, {counts.get('info', 0)} info"
    )


def _finding_lines(payload: dict[str, Any], link) -> list[str]:
    findings = payload.get("new_findings") or []
    lines = [
        f"• {f['severity']} {link(f['rule'], f.get('url'))} at {f['path']}:{f['line']}: {f['message']}"
        for f in findings[:MAX_LISTED]
    ]
    rest = (payload.get("audit") or {}).get("new", 0) - len(lines)
    if rest > 0:
        lines.append(f"…and {rest} more")
    return lines


def slack(payload: dict[str, Any]) -> dict[str, Any]:
    """Slack's incoming-webhook message: a text fallback and blocks in Slack's mrkdwn."""

    def link(text: str, url: str | None) -> str:
        return f"<{url}|`{text}`>" if url else f"`{text}`"

    headline, counts = _headline(payload), _counts(payload)
    findings = _finding_lines(payload, link)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*{headline}*\n{counts}"}},
    ]
    if findings:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "*New findings*\n" + "\n".join(findings)}})
    url = (payload.get("audit") or {}).get("url")
    if url:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{url}|Open the audit>"}]})
    return {"text": f"{headline}. {counts}", "blocks": blocks}


def teams(payload: dict[str, Any]) -> dict[str, Any]:
    """A Teams message with an Adaptive Card (accepted by incoming webhooks and Workflows)."""

    def link(text: str, url: str | None) -> str:
        return f"[{text}]({url})" if url else text

    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": _headline(payload), "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "TextBlock", "text": _counts(payload), "wrap": True},
    ]
    findings = _finding_lines(payload, link)
    if findings:
        body.append({"type": "TextBlock", "text": "New findings", "weight": "Bolder", "wrap": True})
        body += [{"type": "TextBlock", "text": line, "wrap": True, "spacing": "None"} for line in findings]
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    url = (payload.get("audit") or {}).get("url")
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open the audit", "url": url}]
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }
