"""The log over HTTP in the C2SP formats: checkpoint, tiles, entry bundles and the public key.

``/log/`` is the log's URL prefix (c2sp.org/tlog-tiles), so any client of those formats can
read and verify it. Tiles are served for the tree of the latest checkpoint only: entries
appended since are not public until a checkpoint commits to them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from weh.ledger import keys, selectors
from weh.ledger.tiles import parse_tile_path

TEXT = "text/plain; charset=utf-8"
BINARY = "application/octet-stream"

# The checkpoint changes with every commit; tlog-tiles asks that it not be cached beyond a few
# seconds. A full tile or bundle never changes. A partial one never changes either, but the log
# may stop serving it once the full tile exists, so caches keep it briefly.
CHECKPOINT_CACHE = "public, max-age=5"
FULL_TILE_CACHE = "public, max-age=31536000, immutable"
PARTIAL_TILE_CACHE = "public, max-age=60"
MISSING_CACHE = "public, max-age=5"
KEY_CACHE = "public, max-age=3600"


def _response(
    body: bytes | str, *, content_type: str, cache: str, status: int = 200
) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type, status=status)
    response["Cache-Control"] = cache
    # Verifiers may run in a browser on another site: these are public documents.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def checkpoint(request: HttpRequest) -> HttpResponse:
    """``<prefix>/checkpoint``: the latest signed checkpoint, with any cosignatures."""
    latest = selectors.latest_checkpoint()
    if latest is None:
        return _response(
            "The log has no checkpoint yet.\n",
            content_type=TEXT,
            cache=MISSING_CACHE,
            status=404,
        )
    return _response(latest.signed_note, content_type=TEXT, cache=CHECKPOINT_CACHE)


@require_safe
def tile(request: HttpRequest, path: str) -> HttpResponse:
    """``<prefix>/tile/<L>/<N>[.p/<W>]`` and ``<prefix>/tile/entries/<N>[.p/<W>]``."""
    try:
        wanted = parse_tile_path(f"tile/{path}")
    except ValueError as error:
        return _response(
            f"Malformed tile path: {error}. Paths look like tile/0/x001/234 or "
            "tile/entries/005.p/17 (c2sp.org/tlog-tiles).\n",
            content_type=TEXT,
            cache=MISSING_CACHE,
            status=400,
        )
    latest = selectors.latest_checkpoint()
    data = selectors.tile_data(wanted, latest) if latest is not None else None
    if data is None:
        size = latest.size if latest is not None else 0
        return _response(
            f"No tile {wanted.path} in the tree of the latest checkpoint ({size} entries).\n",
            content_type=TEXT,
            cache=MISSING_CACHE,
            status=404,
        )
    cache = PARTIAL_TILE_CACHE if wanted.is_partial else FULL_TILE_CACHE
    return _response(data, content_type=BINARY, cache=cache)


@require_safe
def key(request: HttpRequest) -> HttpResponse:
    """``<prefix>/key``: the verifier key string of the log (trust it only from a second source)."""
    return _response(keys.log_verifier().vkey + "\n", content_type=TEXT, cache=KEY_CACHE)
