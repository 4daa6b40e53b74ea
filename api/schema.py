"""Teaches drf-spectacular how the API authenticates."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from Settings → API tokens: `Authorization: Bearer cva_…`.",
        }


_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,  # a 400 names the offending fields instead
}
ERROR_RESPONSES = {
    "400": "Invalid parameters or body; the fields at fault are named.",
    "401": "No token, or an invalid or revoked one.",
    "403": "The token's user lacks the role this needs.",
    "404": "No such object in your teams (another team's object is not acknowledged), or no such page.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular documents only the success answers; add the error answers every operation can give.

    A 404 may also be Django's own HTML page, when an id in the path is not a number at all.
    """
    for item in (result.get("paths") or {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                content = {"application/json": {"schema": _DETAIL}}
                if code == "404":
                    content["text/html"] = {"schema": {"type": "string"}}
                responses.setdefault(code, {"description": description, "content": content})
    return result


# What each operation is for, written for the person reading the reference; keyed by operationId.
# An operation given its own description in code keeps it.
DESCRIPTIONS = {
    "projects_list": (
        "Every repository connected to a team you belong to, with its latest finished audit. Filter "
        "with `team` when you are in several teams. Use it to find a project's id for the other calls."
    ),
    "projects_retrieve": "One connected repository: its name, remote, branch and latest finished audit.",
    "projects_audits_list": (
        "The project's audits, newest first, whatever their state (queued, running, done, failed). "
        "Poll the newest one after queueing an audit to see when it is done."
    ),
    "projects_audits_create": (
        "Queue an audit of the project's branch, as the Run audit button does. Needs the member role. "
        "If an audit is already waiting, that one is returned instead of queueing another. The answer "
        "is the queued audit; poll it until its state is done or failed."
    ),
    "audits_retrieve": (
        "One audit: its commit, state, health score and counts of open findings by severity, with how "
        "many are new, reopened and fixed against its baseline."
    ),
    "audits_findings_list": (
        "The audit's findings, a page at a time, worst first. By default only the open ones (not "
        "dismissed in triage, not ignored by an ignore rule, not suppressed in source); pass `state` "
        "for the others. Each finding links to its line at the audited commit when the host is known."
    ),
    "audits_inventory_retrieve": (
        "What the engine saw in the project at this commit: its Convex functions, HTTP routes, "
        "schema (tables, fields, references, indexes), index usage and crons."
    ),
    "audits_gate_retrieve": (
        "The quality gate's verdict on this audit: passed or failed, and for each condition how many "
        "new findings it counted."
    ),
    "projects_gate_retrieve": "The quality gate's verdict on the project's latest finished audit.",
    "schema_retrieve": "This reference as an OpenAPI 3 document (YAML, or JSON with `?format=json`).",
    "projects_create": (
        "Connect a repository, as the Connect form does (admin role): the remote and branch are "
        "checked with git before anything is saved, and a clear sentence says what is wrong when "
        "they cannot be reached. The first audit is queued at once."
    ),
    "findings_triage_create": (
        "Decide what a finding is: open again, an accepted risk, or a false positive. Dismissing "
        "needs a comment saying why. The decision follows the finding's fingerprint into later "
        "audits, and every count, the gate and the exports leave dismissed findings out."
    ),
    "projects_ignore_rules_list": (
        "The project's ignore rules: findings of a rule (or a glob of rules) in matching paths that "
        "stop counting, each with its reason and author."
    ),
    "projects_ignore_rules_create": (
        "Add an ignore rule (admin role). A misspelt rule id is refused with the list of known ids. "
        "Matching findings of every audit become ignored at once."
    ),
    "projects_ignore_rules_destroy": (
        "Remove an ignore rule (admin role); the findings it matched count again in every audit."
    ),
}


# The one-line summaries of operations whose views are not ours to decorate.
SUMMARIES = {"schema_retrieve": "This reference as an OpenAPI document"}


def describe_operations(result, generator, request, public):
    """Give each operation its description for people (DESCRIPTIONS) and its summary (SUMMARIES),
    unless it has them."""
    for item in (result.get("paths") or {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            operation_id = operation.get("operationId", "")
            if not operation.get("description") and (text := DESCRIPTIONS.get(operation_id)):
                operation["description"] = text
            if not operation.get("summary") and (summary := SUMMARIES.get(operation_id)):
                operation["summary"] = summary
    return result
