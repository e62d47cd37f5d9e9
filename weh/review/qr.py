"""QR codes that lead to a certificate's registry page: inline SVG for HTML, PNG for PDFs."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# M recovers about 15 % of damaged modules: enough for a printed page, and the code stays small.
ERROR_CORRECTION = "m"


def _make(url: str) -> segno.QRCode:
    # make_qr, not make: a Micro QR code would be smaller, but many phone cameras cannot read it.
    return segno.make_qr(url, error=ERROR_CORRECTION)


def qr_svg(url: str, *, scale: int = 4, title: str | None = None) -> SafeString:
    """Inline SVG (no XML declaration) of a QR code for ``url``, with a ``<title>`` naming it.

    Scale 4 gives about 150-200 px for a registry URL, readable on screen and in print.
    segno escapes the title, so the markup is safe to insert as is.
    """
    label = title if title is not None else _("QR code linking to %(url)s") % {"url": url}
    svg = _make(url).svg_inline(scale=scale, title=label, svgclass="qr-code", lineclass=None)
    # role="img" makes screen readers announce the title as the image's name.
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


def qr_png(url: str, scale: int = 8) -> bytes:
    """PNG bytes of a QR code for ``url``, e.g. for ReportLab's ``ImageReader``.

    Scale 8 is sharp when the PDF prints it 3-4 cm wide; the quiet zone (4 modules) is included.
    """
    buffer = io.BytesIO()
    _make(url).save(buffer, kind="png", scale=scale)
    return buffer.getvalue()
