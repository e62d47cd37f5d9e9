from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.http import HttpRequest

from weh.core import policy
from weh.core.permissions import grants_for


def site(request: HttpRequest) -> dict[str, Any]:
    grants = grants_for(getattr(request, "user", None))
    return {
        "weh_can_audit": grants.allows(policy.AUDIT_VIEW) and grants.hub_wide,
        "weh_can_add_subject": grants.allows(policy.SUBJECT_ADD),
        "weh_map_tiles": settings.WEH_MAP_TILE_URL,
        "weh_map_attribution": settings.WEH_MAP_TILE_ATTRIBUTION,
        # Whether to invite people to sign up (the account adapter decides).
        "weh_open_signup": get_account_adapter(request).is_open_for_signup(request),
    }
