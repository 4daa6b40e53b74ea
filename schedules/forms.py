from __future__ import annotations

from typing import Any

from django import forms

from schedules.models import AuditSchedule
from schedules.services import parse_cron, valid_timezone


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = AuditSchedule
        fields = ["kind", "minute", "at", "weekday", "cron", "timezone"]
        widgets = {"at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def clean_minute(self) -> int:
        minute = self.cleaned_data["minute"]
        if not 0 <= minute <= 59:
            raise forms.ValidationError("Minutes past the hour go from 0 to 59.")
        return minute

    def clean_timezone(self) -> str:
        name = (self.cleaned_data.get("timezone") or "").strip()
        if not valid_timezone(name):
            raise forms.ValidationError("Unknown time zone; use an IANA name such as Europe/Paris or UTC.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == AuditSchedule.Kind.CRON:
            expression = " ".join((data.get("cron") or "").split())
            try:
                parse_cron(expression)
            except ValueError as error:
                self.add_error("cron", str(error))
            data["cron"] = expression
        return data
