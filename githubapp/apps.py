from django.apps import AppConfig


class GitHubAppConfig(AppConfig):
    name = "githubapp"
    verbose_name = "GitHub App"
    default_auto_field = "django.db.models.BigAutoField"
