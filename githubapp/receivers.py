from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from projects.models import Audit
from projects.signals import audit_failed, audit_finished


@receiver(audit_finished, dispatch_uid="githubapp.publish_finished")
@receiver(audit_failed, dispatch_uid="githubapp.publish_failed")
def _publish(sender: type, audit: Audit, **kwargs: Any) -> None:
    """A pull request's audit ended: complete its check run, update the comment (a Celery task)."""
    from githubapp.models import GitHubRepository, PullRequestAudit
    from githubapp.tasks import publish_pull_request, upload_branch_sarif

    if audit.trigger != Audit.Trigger.PULL_REQUEST:
        if audit.state == Audit.State.DONE and GitHubRepository.objects.filter(
            repository_id=audit.repository_id, active=True, sarif_upload=True
        ).exists():
            upload_branch_sarif.delay(audit.pk)
        return

    run_id = PullRequestAudit.objects.filter(audit_id=audit.pk).values_list("pk", flat=True).first()
    if run_id is not None:
        publish_pull_request.delay(run_id)
