from django.contrib import admin

from .models import NewsItem, Source, Subscription, Theme
from .search import update_search_vectors


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active", "last_fetch_status", "consecutive_failures"]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "status", "featured"]
    list_filter = ["status", "featured", "source"]
    search_fields = ["title"]
    raw_id_fields = ["source"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Themes and excluded territories are saved after the item: the search vector follows them.
        update_search_vectors(NewsItem.objects.filter(pk=form.instance.pk))


admin.site.register(Theme)
admin.site.register(Subscription)
