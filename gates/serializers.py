from __future__ import annotations

from rest_framework import serializers


class GateConditionSerializer(serializers.Serializer):
    condition = serializers.CharField()
    count = serializers.IntegerField()
    max = serializers.IntegerField()
    passed = serializers.BooleanField()


class GateSerializer(serializers.Serializer):
    repository = serializers.IntegerField()
    audit = serializers.IntegerField(allow_null=True)
    commit = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["passed", "failed"], allow_null=True)
    baseline = serializers.IntegerField(allow_null=True)
    new_findings = serializers.IntegerField(allow_null=True)
    conditions = GateConditionSerializer(many=True)
