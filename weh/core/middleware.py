from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def _oidc_origins() -> list[str]:
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    origins = []
    for app in apps:
        parts = urlsplit(str(app.get("settings", {}).get("server_url", "")))
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def content_security_policy() -> str:
    """A strict policy: everything from this site; forms may also go to the identity provider."""
    tiles = urlsplit(settings.WEH_MAP_TILE_URL)
    img = "'self' data: blob:" + (f" {tiles.scheme}://{tiles.netloc}" if tiles.netloc else "")
    form_action = " ".join(["'self'", *_oidc_origins()])
    return (
        f"default-src 'self'; img-src {img}; style-src 'self'; script-src 'self'; "
        f"connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action {form_action}"
    )


class SecurityHeadersMiddleware:
    """Adds the headers Django's SecurityMiddleware does not: CSP and Permissions-Policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs"):
            # The interactive API docs page runs its own inline bootstrap script.
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
            )
        else:
            response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response


class PrivateWhenSettingCookiesMiddleware:
    """An answer that sets a cookie is for one browser: a shared cache must never keep it.

    Public pages (the registry) are marked ``public`` so that proxies can serve them. A first
    visit to one also hands out the CSRF cookie (the language form needs it); a proxy keeping
    that answer would give every later visitor the same token. Such answers become
    ``private``; the next ones, from a browser that has its cookies, stay public. Listed before
    the middleware that set cookies, so it sees every cookie they set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.cookies and "public" in response.get("Cache-Control", ""):
            patch_cache_control(response, private=True)
        return response
