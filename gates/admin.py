from django.contrib import admin

from gates.models import GateCondition, GateResult, QualityGate


class GateConditionInline(admin.TabularInline):
    model = GateCondition
    extra = 0


@admin.register(QualityGate)
class QualityGateAdmin(admin.ModelAdmin):
    list_display = ["repository", "enabled", "updated_at"]
    raw_id_fields = ["repository"]
    inlines = [GateConditionInline]


@admin.register(GateResult)
class GateResultAdmin(admin.ModelAdmin):
    list_display = ["audit", "status", "baseline", "new_count", "evaluated_at"]
    list_filter = ["status"]
    raw_id_fields = ["audit", "baseline"]
