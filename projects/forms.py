"""Adding and editing a repository; each bad input gets a form error saying what is wrong."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms

from projects import gitops
from projects.gitops import RemoteError
from projects.models import Repository
from teams.models import Team

# Which field a remote problem belongs to.
ERROR_FIELD = {
    RemoteError.MALFORMED: "url",
    RemoteError.FORBIDDEN: "url",
    RemoteError.UNREACHABLE: "url",
    RemoteError.NOT_FOUND: "url",
    RemoteError.TIMEOUT: "url",
    RemoteError.GIT: "url",
    RemoteError.AUTH: "token",
    RemoteError.BRANCH: "branch",
    RemoteError.EMPTY: "branch",
    RemoteError.NO_CONVEX: "convex_dir",
    RemoteError.TOO_LARGE: "url",
}


def name_from_url(url: str) -> str:
    if "://" in url:
        path = urlsplit(url).path
    elif ":" in url and not url.startswith("/"):
        path = url.split(":", 1)[1]
    else:
        path = url
    parts = [p for p in path.removesuffix("/").removesuffix(".git").split("/") if p]
    return "/".join(parts[-2:]) or url


class RepositoryForm(forms.ModelForm):
    token = forms.CharField(
        label="Access token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="For private repositories: a token with read access (GitHub: fine-grained, Contents: read). "
        "Stored encrypted; it is never shown again.",
    )
    clear_token = forms.BooleanField(label="Remove the stored token", required=False)

    class Meta:
        model = Repository
        fields = ["url", "branch", "convex_dir", "name"]
        widgets = {"url": forms.TextInput(attrs={"placeholder": "https://github.com/owner/repo.git"})}
        help_texts = {
            "url": "https://… or git@host:owner/repo.git",
            "branch": "Leave empty for the repository's default branch.",
            "name": "Optional; defaults to owner/repo.",
        }

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["branch"].required = False
        self.fields["name"].required = False
        if self.instance.pk is None or not self.instance.has_token:
            del self.fields["clear_token"]
        else:
            self.fields["token"].help_text = "A token is stored. Leave empty to keep it."

    def clean_url(self) -> str:
        try:
            return gitops.parse_remote_url(self.cleaned_data["url"]).url
        except RemoteError as error:
            raise forms.ValidationError(error.message, code=error.kind) from None

    def clean_branch(self) -> str:
        branch = self.cleaned_data.get("branch", "").strip()
        if not branch:
            return ""
        try:
            return gitops.validate_branch(branch)
        except RemoteError as error:
            raise forms.ValidationError(error.message, code=error.kind) from None

    def clean_convex_dir(self) -> str:
        try:
            return gitops.validate_convex_dir(self.cleaned_data.get("convex_dir", ""))
        except RemoteError as error:
            raise forms.ValidationError(error.message, code=error.kind) from None

    def effective_token(self) -> str | None:
        if self.cleaned_data.get("token"):
            return self.cleaned_data["token"]
        if self.cleaned_data.get("clear_token"):
            return None
        return self.instance.get_token() if self.instance.pk and self.instance.has_token else None

    def _add_remote_error(self, error: RemoteError) -> None:
        self.add_error(ERROR_FIELD.get(error.kind, "url"), forms.ValidationError(error.message, code=error.kind))

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        url, token = data["url"], self.effective_token()
        try:
            info = gitops.probe_remote(url, token, data.get("branch") or None)  # validates the URL first
        except RemoteError as error:
            self._add_remote_error(error)
            return data
        data["branch"] = info.branch
        try:
            found = gitops.check_convex_folder(url, token, info.branch, data.get("convex_dir", ""))
        except RemoteError as error:
            # A slow or odd server only postpones the check to the first audit.
            if error.kind == RemoteError.NO_CONVEX:
                self._add_remote_error(error)
                return data
        else:
            if found:
                self._suggest_convex_dir(found, info.branch)
                return data
        duplicate = Repository.objects.filter(team=self.team, url=url, branch=info.branch)
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError("This repository and branch are already connected to the team.")
        if not data.get("name"):
            data["name"] = name_from_url(url)[:200]
        return data

    def _suggest_convex_dir(self, found: list[str], branch: str) -> None:
        """No Convex folder at the root but some below it: fill in the first, name all, ask to confirm."""
        self.data = self.data.copy()
        self.data["convex_dir"] = found[0]
        if len(found) == 1:
            message = f"{branch} has no Convex folder at its root; {found[0]}/ looks like it. Submit again to use it."
        else:
            listed = ", ".join(f"{path}/" for path in found[:10])
            message = f"{branch} has several Convex folders: {listed}. Choose the one to audit and submit again."
        self.add_error("convex_dir", forms.ValidationError(message, code="convex_dir_suggested"))

    def save(self, commit: bool = True) -> Repository:
        repository = super().save(commit=False)
        repository.team = self.team
        repository.branch = self.cleaned_data["branch"]
        repository.name = self.cleaned_data["name"]
        if self.cleaned_data.get("token"):
            repository.set_token(self.cleaned_data["token"])
        elif self.cleaned_data.get("clear_token"):
            repository.set_token(None)
        if commit:
            repository.save()
        return repository


OFF = "off"


class RuleProfileForm(forms.Form):
    """One choice per rule: its default severity, another severity, or off."""

    def __init__(self, *args: Any, profile: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from auditor.engine.rules import all_rules

        profile = profile or {}
        disabled = set(profile.get("disable") or [])
        severity = profile.get("severity") or {}
        self.rules = list(all_rules())
        for rule in self.rules:
            choices = [("", f"default ({rule.severity})")] + [
                (level, level) for level in ("error", "warning", "info") if level != rule.severity
            ] + [(OFF, "off")]
            initial = OFF if rule.id in disabled else severity.get(rule.id, "")
            self.fields[rule.id] = forms.ChoiceField(choices=choices, required=False, initial=initial,
                                                     label=rule.id)

    def rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(rule, self[rule.id]) for rule in self.rules]

    def profile(self) -> dict[str, Any]:
        """The choices in the engine's profile shape; rules left at their default are left out."""
        disable = sorted(rule_id for rule_id, choice in self.cleaned_data.items() if choice == OFF)
        severity = {rule_id: choice for rule_id, choice in sorted(self.cleaned_data.items()) if choice not in ("", OFF)}
        return {key: value for key, value in (("disable", disable), ("severity", severity)) if value}
