from __future__ import annotations

from django import forms

from githubapp.models import GitHubRepository


class RepositorySettingsForm(forms.ModelForm):
    class Meta:
        model = GitHubRepository
        fields = ["pull_request_comments", "sarif_upload"]
