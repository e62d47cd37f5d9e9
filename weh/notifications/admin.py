from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weh.core.admin import AuditedAdmin
from weh.notifications.models import Notice, NotificationPreference


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """For looking into what someone was told; notices come from the services, not from here."""

    list_display = ("title", "user", "kind", "created_at", "read_at", "emailed_at", "in_app")
    list_filter = ("kind", "in_app", ("read_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "user__username", "user__email", "dedupe_key")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "kind",
        "title",
        "body",
        "url",
        "in_app",
        "dedupe_key",
        "created_at",
        "read_at",
        "emailed_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Viewing only: the change form shows the read-only fields without a save button.
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(AuditedAdmin):
    list_display = ("user", "kind", "in_app", "email")
    list_filter = ("kind", "in_app", "email")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
