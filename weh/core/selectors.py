"""Reads on the audit trail (staff and the secretariat only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from weh.core import policy
from weh.core.errors import PermissionDenied
from weh.core.models import AuditEntry
from weh.core.permissions import grants_for


def list_audit_entries(
    *,
    user: Any,
    target_type: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    target_id: str | None = None,
) -> QuerySet[AuditEntry]:
    grants = grants_for(user)
    if not (grants.hub_wide and grants.allows(policy.AUDIT_VIEW)):
        raise PermissionDenied()
    qs = AuditEntry.objects.all()
    if target_type:
        qs = qs.filter(target_type=target_type)
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_name=actor)
    if target_id:
        qs = qs.filter(target_id=target_id)
    return qs.order_by("-at", "-id")


def audit_filter_choices() -> dict[str, list[str]]:
    return {
        "target_types": list(
            AuditEntry.objects.order_by("target_type")
            .values_list("target_type", flat=True)
            .distinct()
        ),
        "actions": list(
            AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct()
        ),
    }
