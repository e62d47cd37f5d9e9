"""Public, machine-readable documents under /.well-known/."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from weh.core import signing


@require_safe
def weh_keys(request: HttpRequest) -> JsonResponse:
    """/.well-known/weh-keys.json: the public keys that verify this hub's certificates."""
    response = JsonResponse(signing.published_keys_document())
    # An hour: a rotated key shows up soon, and verifiers do not fetch it on every check.
    patch_cache_control(response, public=True, max_age=3600)
    # Offline and third-party verifiers (a page on another site) may read it from a browser.
    response["Access-Control-Allow-Origin"] = "*"
    return response
