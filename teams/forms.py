from __future__ import annotations

from django import forms

from teams.models import Membership, Role, Team


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name"]


def role_choices_for(membership: Membership) -> list[tuple[str, str]]:
    """Owners may hand out any role; admins any role but owner."""
    return [(value, label) for value, label in Role.choices if membership.can_manage_team or value != Role.OWNER]


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args, membership: Membership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.fields["role"].choices = role_choices_for(membership)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if self.membership.team.memberships.filter(user__email__iexact=email).exists():
            raise forms.ValidationError("This person is already a member of the team.")
        if self.membership.team.invitations.filter(email__iexact=email, accepted_at__isnull=True).exists():
            raise forms.ValidationError(
                f"{email} already has a pending invitation. Revoke it first to invite them with another role."
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, membership: Membership, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices_for(membership)
