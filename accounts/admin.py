from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation_name", "is_cariforef_staff", "is_demo"]
    list_filter = ["is_cariforef_staff", "is_demo", "is_active"]
    search_fields = ["email", "first_name", "last_name", "organisation_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "organisation_name", "job_title", "phone")}),
        ("Rôles", {"fields": ("is_active", "is_cariforef_staff", "is_staff", "is_superuser", "is_demo")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
