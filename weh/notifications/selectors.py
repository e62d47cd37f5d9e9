"""Reads on notices and preferences. Everyone sees only their own."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.db.models import QuerySet

from weh.notifications.models import KIND_DESCRIPTIONS, Notice, NoticeKind, NotificationPreference


class PreferenceRow(NamedTuple):
    kind: str
    label: str
    description: str
    in_app: bool
    email: bool


def notices_for(user: Any, unread_only: bool = False) -> QuerySet[Notice]:
    """The inbox of ``user``, newest first; empty for anonymous visitors."""
    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    qs = Notice.objects.filter(user=user, in_app=True)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return notices_for(user, unread_only=True).count()


def preferences_for(user: Any) -> list[PreferenceRow]:
    """One row per kind, in the order of ``NoticeKind``, with the defaults where nothing is set."""
    chosen: dict[str, tuple[bool, bool]] = {}
    if getattr(user, "is_authenticated", False):
        chosen = {
            kind: (in_app, email)
            for kind, in_app, email in NotificationPreference.objects.filter(user=user).values_list(
                "kind", "in_app", "email"
            )
        }
    return [
        PreferenceRow(
            kind.value,
            str(kind.label),
            str(KIND_DESCRIPTIONS[kind.value]),
            *chosen.get(kind.value, (True, True)),
        )
        for kind in NoticeKind
    ]
