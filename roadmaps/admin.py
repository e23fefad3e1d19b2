from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Action, Ambition, AmbitionSheet, Challenge, Priority, Recommendation, Roadmap


@admin.register(Challenge, Ambition, AmbitionSheet)
class ReferentialAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "order"]


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "sheet", "evolution", "is_example"]
    list_filter = ["sheet", "evolution", "is_example"]
    search_fields = ["code", "title"]
    autocomplete_fields = []
    filter_horizontal = ["territories"]
    raw_id_fields = ["rome_codes", "naf_divisions"]


@admin.register(Roadmap)
class RoadmapAdmin(SimpleHistoryAdmin):
    list_display = ["body", "start_year", "end_year", "version", "status"]
    list_filter = ["status"]


@admin.register(Priority)
class PriorityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "roadmap", "order"]


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "roadmap", "status", "progress", "end_date"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["rome_codes", "naf_divisions", "recommendations", "pilots"]
