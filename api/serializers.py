from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from projects.models import Audit, Finding, Repository, Severity
from reports.exports import finding_json
from triage import state as finding_state
from triage.models import IgnoreRule, TriageState


class AuditSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Audit
        fields = [
            "id",
            "repository",
            "state",
            "failure_reason",
            "trigger",
            "force",
            "branch",
            "commit_sha",
            "commit_author",
            "commit_message",
            "committed_at",
            "reused_from",
            "created_at",
            "started_at",
            "finished_at",
            "health_score",
            "counts",
            "url",
        ]
        read_only_fields = fields

    def get_counts(self, audit: Audit) -> dict[str, int]:
        return audit.summary_counts()

    def get_url(self, audit: Audit) -> str:
        request = self.context.get("request")
        path = reverse("reports:audit", args=[audit.pk])
        return request.build_absolute_uri(path) if request else path


class ProjectSerializer(serializers.ModelSerializer):
    team = serializers.SerializerMethodField()
    last_audit = AuditSerializer(read_only=True)
    has_token = serializers.BooleanField(read_only=True)

    class Meta:
        model = Repository
        fields = [
            "id",
            "name",
            "url",
            "web_url",
            "branch",
            "convex_dir",
            "team",
            "has_token",
            "created_at",
            "last_audit",
        ]
        read_only_fields = fields

    def get_team(self, repository: Repository) -> dict[str, Any]:
        return {"id": repository.team_id, "name": repository.team.name}


class DismissalSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["accepted_risk", "false_positive"])
    by = serializers.CharField(help_text="E-mail of who dismissed it")
    at = serializers.DateTimeField(allow_null=True)
    comment = serializers.CharField()


class IgnoreRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = IgnoreRule
        fields = ["id", "rule", "path_glob", "reason", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"path_glob": {"default": "*"}}


class FindingSerializer(serializers.Serializer):
    """The one shape of a finding (Finding.as_dict plus its effective state, reports.exports)."""

    id = serializers.IntegerField()
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    category = serializers.CharField()
    path = serializers.CharField()
    line = serializers.IntegerField()
    column = serializers.IntegerField()
    end_line = serializers.IntegerField()
    end_column = serializers.IntegerField()
    message = serializers.CharField()
    function = serializers.CharField()
    fingerprint = serializers.CharField()
    suppressed = serializers.BooleanField()
    suppression = serializers.JSONField(allow_null=True)
    snippet = serializers.CharField()
    status = serializers.ChoiceField(choices=Finding.Status.choices, help_text="Against the audit's baseline")
    state = serializers.ChoiceField(choices=Finding.State.choices, help_text="The effective state")
    dismissed = DismissalSerializer(allow_null=True)
    ignore_rule = IgnoreRuleSerializer(allow_null=True)
    justification = serializers.CharField(help_text="Why it does not count; empty while open")
    file_url = serializers.URLField(allow_null=True)

    def to_representation(self, finding: Finding) -> dict[str, Any]:
        audit: Audit | None = self.context.get("audit")
        book = self.context.get("book") or finding_state.book_for(finding.audit.repository_id)
        url = audit.repository.file_url(audit.commit_sha, finding.path, finding.line or None) if audit else None
        data = finding_json(finding, book.explain(finding), url)
        data["file_url"] = data.pop("url")
        return {"id": finding.pk, **data}


class TriageSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=TriageState.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000,
                                    help_text="Required for accepted_risk and false_positive")


class QueueAuditSerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False, help_text="Re-analyse even if this commit was audited.")


class InventorySerializer(serializers.Serializer):
    audit = serializers.IntegerField()
    functions = serializers.ListField(child=serializers.DictField())
    http_routes = serializers.ListField(child=serializers.DictField())
    schema = serializers.DictField(allow_null=True)
    index_map = serializers.DictField()
    crons = serializers.ListField(child=serializers.DictField())


class ConnectProjectSerializer(serializers.Serializer):
    """The connect form's fields (projects.forms.RepositoryForm checks them the same way)."""

    team = serializers.IntegerField(required=False, help_text="Your team's id; optional if you are in one team")
    url = serializers.CharField(help_text="https://host/owner/repo.git or git@host:owner/repo.git")
    branch = serializers.CharField(required=False, allow_blank=True, default="",
                                   help_text="Empty: the repository's default branch")
    convex_dir = serializers.CharField(required=False, allow_blank=True, default="",
                                       help_text="Relative to the repository root; empty: detect")
    name = serializers.CharField(required=False, allow_blank=True, default="")
    token = serializers.CharField(required=False, allow_blank=True, default="", write_only=True,
                                  help_text="For private repositories: a token with read access; stored encrypted")


class TriageResultSerializer(serializers.Serializer):
    fingerprint = serializers.CharField()
    state = serializers.ChoiceField(choices=TriageState.choices)
    comment = serializers.CharField()
    changed = serializers.BooleanField()
    finding = FindingSerializer()
