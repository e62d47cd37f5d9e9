"""``{% unread_notices %}``: the signed-in person's unread count, for the page header."""

from __future__ import annotations

from typing import Any

from django import template

from weh.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    # Remembered on the request: a page may show the count twice but should ask once.
    cached = getattr(request, "_weh_unread_notices", None)
    if cached is None:
        cached = unread_count(user)
        if request is not None:
            request._weh_unread_notices = cached
    return cached
