"""The witness's HTTP interface (c2sp.org/tlog-witness): ``POST /log/witness/add-checkpoint``.

The checks, the stored state and the cosigning are in :mod:`weh.ledger.witness`; this only
turns a request into a call and the result (or refusal) into an answer.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from weh.ledger import witness

TEXT = "text/plain; charset=utf-8"


def _answer(body: str, *, status: int = 200, content_type: str = TEXT) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


# Logs call this from their servers, with no session or cookie: nothing to forge across sites.
# The request is authenticated by the log's signature on the checkpoint, as the protocol says.
@csrf_exempt
@require_POST
def add_checkpoint(request: HttpRequest) -> HttpResponse:
    """``<submission prefix>/add-checkpoint``: cosign a checkpoint consistent with the last one."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit():
        return _answer("The Content-Length header is not a number.\n", status=400)
    if int(length) > witness.MAX_REQUEST_BYTES:
        return _answer(
            f"The request is larger than {witness.MAX_REQUEST_BYTES} bytes.\n", status=413
        )
    body = request.body
    if len(body) > witness.MAX_REQUEST_BYTES:
        return _answer(
            f"The request is larger than {witness.MAX_REQUEST_BYTES} bytes.\n", status=413
        )
    try:
        cosignatures = witness.add_checkpoint(body)
    except witness.WitnessError as refusal:
        return _answer(refusal.body, status=refusal.status, content_type=refusal.content_type)
    return _answer(cosignatures)
