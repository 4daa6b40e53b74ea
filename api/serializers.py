from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from projects.models import Audit, Finding, Repository


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


class FindingSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule",
            "severity",
            "category",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "function",
            "fingerprint",
            "status",
            "suppressed",
            "suppression",
            "snippet",
            "file_url",
        ]
        read_only_fields = fields

    def get_file_url(self, finding: Finding) -> str | None:
        audit: Audit | None = self.context.get("audit")
        if audit is None:
            return None
        return audit.repository.file_url(audit.commit_sha, finding.path, finding.line or None)


class QueueAuditSerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False, help_text="Re-analyse even if this commit was audited.")


class InventorySerializer(serializers.Serializer):
    audit = serializers.IntegerField()
    functions = serializers.ListField(child=serializers.DictField())
    http_routes = serializers.ListField(child=serializers.DictField())
    schema = serializers.DictField(allow_null=True)
    index_map = serializers.DictField()
    crons = serializers.ListField(child=serializers.DictField())
