from django.contrib import admin

from .models import NewsItem, Source, Subscription, Theme


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_active", "last_fetch_status", "consecutive_failures"]


@admin.register(NewsItem)
class NewsItemAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "status", "featured"]
    list_filter = ["status", "featured", "source"]
    search_fields = ["title"]
    raw_id_fields = ["source"]


admin.site.register(Theme)
admin.site.register(Subscription)
