"""Evidence downloads, only for those who may see the assessment."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from weh.assessments import selectors
from weh.assessments.models import (
    EvidenceKind,
)
from weh.core.errors import NotFound

# ---------------------------------------------------------------------------------------------
# Evidence files


@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """An evidence file, for those who may see its assessment; never from MEDIA_URL."""
    try:
        evidence = selectors.evidence_for_download(user=request.user, evidence_id=evidence_id)
    except NotFound:
        raise Http404 from None
    if evidence.kind != EvidenceKind.FILE or not evidence.file:
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or f"evidence-{evidence.pk}",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser ever render it, the file runs nothing and reaches nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def evidence_not_served(request: HttpRequest, rest: str) -> HttpResponse:
    """Evidence files live under MEDIA_ROOT but are never served from MEDIA_URL."""
    raise Http404
