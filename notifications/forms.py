from __future__ import annotations

from django import forms

from notifications.models import DigestSubscription


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = DigestSubscription
        fields = ["enabled", "frequency", "min_severity", "only_changes", "send_hour", "send_weekday"]

    def clean_send_hour(self) -> int:
        hour = self.cleaned_data["send_hour"]
        if not 0 <= hour <= 23:
            raise forms.ValidationError("An hour from 0 to 23.")
        return hour
