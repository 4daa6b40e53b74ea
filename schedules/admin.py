from django.contrib import admin

from schedules.models import AuditSchedule, ScheduleRun


@admin.register(AuditSchedule)
class AuditScheduleAdmin(admin.ModelAdmin):
    list_display = ["repository", "kind", "timezone", "periodic_task", "updated_at"]
    list_filter = ["kind"]
    raw_id_fields = ["repository"]


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["repository", "audit", "changed", "created_at"]
    raw_id_fields = ["repository", "audit"]
