from django.contrib import admin

from .models import ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Report runs are written by apps.reports.runs only: read here, deleted here (with the
    daily pruning doing the same after JXC_REPORT_KEEP_DAYS)."""

    list_display = ["created_at", "report", "description", "trigger", "status", "requested_by", "rows", "size"]
    list_filter = ["report", "trigger", "status"]
    search_fields = ["description", "key", "requested_by__username"]
    readonly_fields = [field.name for field in ReportRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        if obj.file:
            obj.file.delete(save=False)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for run in queryset:
            self.delete_model(request, run)
