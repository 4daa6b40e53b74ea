"""Scheduled audits: PeriodicTask rows follow the schedule; an unchanged branch is a cheap run."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from projects.models import Audit, InventorySnapshot
from projects.tasks import audit_repository
from schedules.models import AuditSchedule, ScheduleRun
from schedules.services import TASK_NAME, schedule_for, sync_schedule
from schedules.tasks import run_scheduled_audit
from tests.automation import eager_celery
from tests.factories import RepositoryFactory

pytestmark = pytest.mark.django_db


def post_schedule(client, repository, **data):
    form = {"kind": "off", "minute": 0, "at": "03:00", "weekday": 0, "cron": "", "timezone": "UTC"}
    form.update(data)
    return client.post(reverse("schedule_settings", args=[repository.pk]), form)


def test_it_creates_a_periodic_task_for_a_daily_schedule(client, personas):
    repository = RepositoryFactory(team=personas.team)
    client.force_login(personas.admin)
    response = post_schedule(client, repository, kind="daily", at="06:30", timezone="Europe/Paris")
    assert response.status_code == 302
    task = PeriodicTask.objects.get()
    assert task.task == TASK_NAME and task.enabled
    assert json.loads(task.args) == [repository.pk]
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "6", "*")
    assert str(task.crontab.timezone) == "Europe/Paris"
    assert AuditSchedule.objects.get(repository=repository).periodic_task == task


def test_it_updates_the_periodic_task_when_the_schedule_changes(client, personas):
    repository = RepositoryFactory(team=personas.team)
    client.force_login(personas.owner)
    post_schedule(client, repository, kind="hourly", minute=15)
    first = PeriodicTask.objects.get()
    assert (first.crontab.minute, first.crontab.hour) == ("15", "*")

    post_schedule(client, repository, kind="weekly", weekday=4, at="22:05", timezone="America/New_York")
    task = PeriodicTask.objects.get()
    assert task.pk == first.pk
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("5", "22", "fri")
    assert str(task.crontab.timezone) == "America/New_York"

    post_schedule(client, repository, kind="cron", cron="  30 2 * *   1-5 ")
    task = PeriodicTask.objects.get()
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("30", "2", "1-5")
    assert AuditSchedule.objects.get(repository=repository).cron == "30 2 * * 1-5"

    post_schedule(client, repository, kind="off")
    assert not PeriodicTask.objects.exists()
    assert AuditSchedule.objects.get(repository=repository).periodic_task is None


def test_it_rejects_a_bad_cron_expression_and_an_unknown_timezone(client, personas):
    repository = RepositoryFactory(team=personas.team)
    client.force_login(personas.admin)
    response = post_schedule(client, repository, kind="cron", cron="61 * * * *")
    assert response.status_code == 200 and response.context["form"].errors["cron"]
    response = post_schedule(client, repository, kind="daily", timezone="Mars/Olympus")
    assert response.context["form"].errors["timezone"]
    assert not PeriodicTask.objects.exists()


def test_it_removes_the_periodic_task_with_the_repository(personas):
    repository = RepositoryFactory(team=personas.team)
    schedule = schedule_for(repository)
    schedule.kind = AuditSchedule.Kind.DAILY
    sync_schedule(schedule)
    assert PeriodicTask.objects.count() == 1
    repository.delete()
    assert not PeriodicTask.objects.exists()


def test_it_lets_only_admins_change_the_schedule(client, personas):
    repository = RepositoryFactory(team=personas.team)
    expected = {"owner": 302, "admin": 302, "member": 403, "viewer": 403, "outsider": 404}
    for name, status in expected.items():
        client.force_login(personas.get(name))
        assert client.get(reverse("schedule_settings", args=[repository.pk])).status_code == (
            404 if name == "outsider" else 200
        )
        assert post_schedule(client, repository, kind="hourly").status_code == status, name


def test_it_records_a_no_change_run_without_re_analysing(repository, monkeypatch, django_capture_on_commit_callbacks):
    schedule = schedule_for(repository)
    schedule.kind = AuditSchedule.Kind.HOURLY
    sync_schedule(schedule)

    def scheduled_run() -> Audit:
        audit_id = run_scheduled_audit(repository.pk)
        audit = Audit.objects.get(pk=audit_id)
        assert audit.trigger == Audit.Trigger.SCHEDULE
        with eager_celery(), django_capture_on_commit_callbacks(execute=True):  # the after-audit chain
            audit_repository(repository.pk, audit.trigger, False, audit_id=audit.pk)
        audit.refresh_from_db()
        return audit


    first = scheduled_run()
    assert first.state == Audit.State.DONE, first.failure_reason
    assert InventorySnapshot.objects.filter(audit=first).exists()

    import auditor.engine

    def no_engine(*args, **kwargs):
        raise AssertionError("the engine ran for an unchanged commit")

    monkeypatch.setattr(auditor.engine, "audit_path", no_engine)
    second = scheduled_run()
    assert second.state == Audit.State.DONE, second.failure_reason
    assert second.commit_sha == first.commit_sha
    assert second.reused_from_id == first.pk
    assert not InventorySnapshot.objects.filter(audit=second).exists()
    runs = {run.audit_id: run.changed for run in ScheduleRun.objects.all()}
    assert runs == {first.pk: True, second.pk: False}


def test_it_skips_a_repository_whose_schedule_is_off(personas):
    repository = RepositoryFactory(team=personas.team)
    assert run_scheduled_audit(repository.pk) is None
    assert not Audit.objects.exists()


def test_it_queues_one_audit_for_a_duplicated_beat_tick(personas):
    repository = RepositoryFactory(team=personas.team)
    schedule = schedule_for(repository)
    schedule.kind = AuditSchedule.Kind.DAILY
    sync_schedule(schedule)
    assert run_scheduled_audit(repository.pk) == run_scheduled_audit(repository.pk)
    assert Audit.objects.filter(repository=repository).count() == 1


def test_it_edits_the_schedule_on_the_repository_settings_page(client, personas):
    repository = RepositoryFactory(team=personas.team)
    client.force_login(personas.admin)
    page = client.get(reverse("repository_settings", args=[repository.pk])).content.decode()
    assert reverse("schedule_settings", args=[repository.pk]) in page and 'name="cron"' in page
    assert reverse("webhook_settings", args=[repository.pk]) in page
    response = post_schedule(client, repository, kind="daily", at="04:00", return_to="repository")
    assert response.status_code == 302 and response["Location"] == reverse("repository_settings", args=[repository.pk])
    assert PeriodicTask.objects.get().crontab.hour == "4"
    assert "daily at 04:00 (UTC)" in client.get(reverse("repository_settings", args=[repository.pk])).content.decode()


def test_it_hands_the_schedule_to_beats_database_scheduler(personas):
    from django_celery_beat.schedulers import DatabaseScheduler

    from auditor.celery import app
    from schedules.services import task_name

    repository = RepositoryFactory(team=personas.team)
    schedule = schedule_for(repository)
    schedule.kind, schedule.cron, schedule.timezone = AuditSchedule.Kind.CRON, "*/20 9-17 * * mon-fri", "Asia/Tokyo"
    sync_schedule(schedule)
    entries = DatabaseScheduler(app=app, lazy=True).all_as_schedule()
    entry = entries[task_name(repository.pk)]
    assert entry.task == TASK_NAME and list(entry.args) == [repository.pk]
    assert entry.schedule.hour == set(range(9, 18)) and entry.schedule.minute == {0, 20, 40}
    assert str(entry.schedule.tz) == "Asia/Tokyo"
