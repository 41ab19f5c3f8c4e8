from django.contrib import admin

from analytics.models import ComplianceRule, EventLogUpload


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "start_activity", "end_activity", "deadline_hours")
    list_filter = ("municipality", "active")


@admin.register(EventLogUpload)
class EventLogUploadAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "log_format", "status", "cases", "events")
    list_filter = ("status", "log_format")
    readonly_fields = ("status", "progress", "message", "cases", "events", "frame_file")
