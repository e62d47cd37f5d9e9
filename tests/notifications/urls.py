"""The site's URLs with an API that serves the notifications router.

Until weh/core/api.py registers the router, the site API does not serve /notices; this builds
the same API (same authentication and problem handlers) with the router added.
"""

from __future__ import annotations

import contextlib

from django.urls import URLPattern, URLResolver, path
from ninja.errors import ConfigError

from weh import urls as site_urls
from weh.core.api import build_api
from weh.notifications.api import router

api = build_api()
with contextlib.suppress(ConfigError):  # already registered by weh/core/api.py
    api.add_router("/", router)


def _not_api(pattern: URLPattern | URLResolver) -> bool:
    return str(pattern.pattern) != "api/v1/"


urlpatterns = [path("api/v1/", api.urls), *filter(_not_api, site_urls.urlpatterns)]
