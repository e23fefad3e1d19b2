from django.contrib import admin

from .models import Commune, CompositionChange, Departement, Epci, Region, Territory


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "departement"]
    search_fields = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "departement", "epci", "territory", "population"]
    list_filter = ["departement", "territory"]
    search_fields = ["code", "name"]
    list_select_related = ["departement", "epci", "territory"]
    readonly_fields = ["territory"]


admin.site.register([Region, Departement, Epci])


@admin.register(CompositionChange)
class CompositionChangeAdmin(admin.ModelAdmin):
    list_display = ["changed_at", "kind", "commune", "from_territory", "to_territory", "changed_by"]
    list_select_related = ["commune", "from_territory", "to_territory", "changed_by"]
    readonly_fields = [f.name for f in CompositionChange._meta.fields]
