from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from triage.models import IgnoreRule, TriageState
from triage.services import validate_rule_pattern


class TriageForm(forms.Form):
    state = forms.ChoiceField(choices=TriageState.choices)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("state") in (TriageState.ACCEPTED_RISK, TriageState.FALSE_POSITIVE) and not (
            data.get("comment") or ""
        ).strip():
            self.add_error("comment", "Say why: a comment is required.")
        return data


class IgnoreRuleForm(forms.ModelForm):
    class Meta:
        model = IgnoreRule
        fields = ["rule", "path_glob", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def clean_rule(self) -> str:
        try:
            return validate_rule_pattern(self.cleaned_data["rule"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why these findings are ignored.")
        return reason
