from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from weh.accounts.models import ApiToken, Membership, Organisation, User
from weh.core.admin import AuditedAdmin


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(User)
class WehUserAdmin(AuditedAdmin, UserAdmin):  # type: ignore[misc]
    fieldsets = (*UserAdmin.fieldsets, ("WEH", {"fields": ("preferred_language",)}))


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ("name", "acronym", "type", "country", "parent")
    list_filter = ("type", "country")
    search_fields = ("name", "acronym")
    autocomplete_fields = ("parent",)
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("prefix", "secret_hash", "created_at", "last_used_at")
