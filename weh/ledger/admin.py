"""The log in the admin: to look, never to touch.

Entries and checkpoints are written only by the services, and a log that can be edited is no
log: every permission but viewing is refused, for superusers too.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from weh.ledger.models import Checkpoint, LogEntry, LogWitness, WitnessState


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = ("index", "kind", "subject", "recorded_at")
    search_fields = ("=subject",)
    date_hierarchy = "recorded_at"
    readonly_fields = ("index", "kind", "subject", "content_sha256", "recorded_at", "text")
    # Counting a log of millions of rows on every page is slow and tells nobody anything.
    show_full_result_count = False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ("size", "created_at", "root")
    readonly_fields = ("size", "root", "created_at", "note", "cosignatures")
    exclude = ("root_hash",)
    date_hierarchy = "created_at"

    @admin.display(description=_("root hash (base64)"))
    def root(self, obj: Checkpoint) -> str:
        return base64.b64encode(bytes(obj.root_hash)).decode("ascii")


@admin.register(WitnessState)
class WitnessStateAdmin(ReadOnlyAdmin):
    """The logs this hub witnesses, with the checkpoint it last cosigned for each."""

    list_display = ("origin", "size", "updated_at")
    readonly_fields = ("origin", "size", "note", "updated_at")
    exclude = ("root_hash",)


@admin.register(LogWitness)
class LogWitnessAdmin(ReadOnlyAdmin):
    """The witnesses of this hub's log, with the size each last cosigned."""

    list_display = ("vkey", "size", "updated_at")
    readonly_fields = ("vkey", "size", "updated_at")
