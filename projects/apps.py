from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Binds @shared_task to the configured app in every process that loads Django.
        import auditor.celery  # noqa: F401
