from __future__ import annotations

from django import forms

from gates.models import GateCondition


class GateConditionForm(forms.ModelForm):
    class Meta:
        model = GateCondition
        fields = ["min_severity", "rule_glob", "max_new"]
        labels = {"min_severity": "New findings of at least"}

    def clean_rule_glob(self) -> str:
        return (self.cleaned_data.get("rule_glob") or "*").strip() or "*"
