from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weh.core import audit
from weh.core.models import AuditEntry


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Admin changes go into the audit trail like every other write."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change:
            before = audit.snapshot(type(obj).objects.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action="admin-update" if change else "admin-create",
            target=obj,
            before=before,
            after=audit.snapshot(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(
            actor=request.user, action="admin-delete", target=obj, before=audit.snapshot(obj)
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit.record(
                actor=request.user, action="admin-delete", target=obj, before=audit.snapshot(obj)
            )
        super().delete_queryset(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: the trail can be searched but never changed."""

    list_display = ("at", "actor_name", "action", "target_type", "target_id", "target_repr")
    list_filter = ("action", "target_type")
    search_fields = ("actor_name", "target_repr", "target_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
