from django.contrib import admin

from .models import ImportBatch, Indicator, Sheet


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "theme", "rule", "is_public", "is_demo"]
    list_filter = ["theme", "rule", "is_public", "is_demo"]
    search_fields = ["code", "label"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "filename", "created_at", "status", "value_count", "rolled_back"]
    list_filter = ["status"]


@admin.register(Sheet)
class SheetAdmin(admin.ModelAdmin):
    list_display = ["territory", "audience", "built_at", "stale"]
    exclude = ["snapshot", "map_svg"]
