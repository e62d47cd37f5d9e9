"""A fixed-window rate limit kept in the cache (shared across workers when the cache is Redis)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from weh.core.errors import RateLimited

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/h' → (10, 3600): at most that many events per that many seconds."""
    count, _sep, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[-1]] * int(period.strip()[:-1] or 1)


def hit(key: str, rate: str) -> None:
    """Count one event for ``key``; raise RateLimited when the window's allowance is used up."""
    limit, seconds = parse_rate(rate)
    window = int(time.time() // seconds)
    cache_key = f"weh:rl:{key}:{window}"
    cache.add(cache_key, 0, timeout=seconds + 1)
    try:
        used = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=seconds + 1)
        used = 1
    if used > limit:
        retry = seconds - int(time.time()) % seconds
        raise RateLimited(
            _("Too many attempts. Try again in %(seconds)d seconds.") % {"seconds": retry}
        )
