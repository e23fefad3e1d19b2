from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Action,
    Ambition,
    AmbitionSheet,
    Challenge,
    LinkedHistoricalRecords,
    Priority,
    Recommendation,
    Roadmap,
)


class OneVersionAdmin(SimpleHistoryAdmin):
    """Admin of a tracked model: a save and its link (m2m) changes make ONE version, as in the portal's services
    (``roadmaps.history.one_version``), instead of one per save and per link field.

    The admin saves the object (``save_model``), then its links (``form.save_m2m()``: from ``save_related`` in the
    change form, directly in simple-history's "revert to this version" form), in one transaction: the history
    signals are silenced in between and the version is recorded once the links are set."""

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        obj.skip_history_when_saving = True
        try:
            super().save_model(request, obj, form, change)
        except BaseException:
            del obj.skip_history_when_saving
            raise
        save_m2m = form.save_m2m

        def save_m2m_then_record():
            try:
                save_m2m()
            finally:
                obj.__dict__.pop("skip_history_when_saving", None)
            LinkedHistoricalRecords.recorders[type(obj)].record(obj, "~" if change else "+")

        form.save_m2m = save_m2m_then_record


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
class RoadmapAdmin(OneVersionAdmin):
    list_display = ["body", "start_year", "end_year", "version", "status"]
    list_filter = ["status"]


@admin.register(Priority)
class PriorityAdmin(OneVersionAdmin):
    list_display = ["title", "roadmap", "order"]


@admin.register(Action)
class ActionAdmin(OneVersionAdmin):
    list_display = ["title", "roadmap", "status", "progress", "end_date"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["rome_codes", "naf_divisions", "recommendations", "pilots"]
