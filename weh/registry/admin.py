from __future__ import annotations

from django.contrib import admin

from weh.core.admin import AuditedAdmin
from weh.registry.models import Subject


@admin.register(Subject)
class SubjectAdmin(AuditedAdmin):
    list_display = ("name", "kind", "country", "owner", "status", "geometry_kind")
    list_filter = ("kind", "status", "country")
    search_fields = ("name", "search_text")
    autocomplete_fields = ("owner",)
    readonly_fields = (
        "geometry_kind",
        "geometry_area_km2",
        "centroid_lon",
        "centroid_lat",
        "bbox",
        "created_by",
        "created_at",
        "updated_at",
    )
