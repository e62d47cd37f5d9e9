"""The certificate of a recognition as a PDF: A4 landscape, drawn from the stored signed statement.

Every fact printed comes from the statement (through ``registry.certificate_facts``, which also
feeds the HTML certificate), so the paper, the page and the signed JSON always agree; only the
labels around the facts, and the names of codes the standard defines, follow the language. The
house style (fonts for Chinese and Korean, colours, tables) is the one of the assessment exports.
The file is reproducible byte for byte (ReportLab's invariant mode), as its strong ETag promises.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from weh.assessments.exports import (
    HEAD_BG,
    INK,
    LATIN_BOLD,
    LATIN_FONT,
    MUTED,
    RULE,
    _draw_mixed,
    _mixed_width,
    _p,
    _register_fonts,
)
from weh.review import qr
from weh.review.models import RecognitionStatus
from weh.review.registry import CertificateFacts, certificate_facts, status_label

PAGE = landscape(A4)
MARGIN = 16 * mm
QR_SIZE = 42 * mm
GREEN = colors.HexColor("#1b5e20")
WARNING = colors.HexColor("#b3261e")


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("body", fontName=LATIN_FONT, fontSize=10, leading=13, textColor=INK)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=8, leading=10)
        self.muted = ParagraphStyle("muted", parent=base, fontSize=8.5, textColor=MUTED)
        self.kicker = ParagraphStyle(
            "kicker", parent=base, fontSize=10, textColor=GREEN, alignment=TA_CENTER
        )
        self.title = ParagraphStyle(
            "title",
            parent=base,
            fontName=LATIN_BOLD,
            fontSize=24,
            leading=29,
            alignment=TA_CENTER,
            textColor=GREEN,
        )
        self.lead = ParagraphStyle("lead", parent=base, fontSize=11, alignment=TA_CENTER)
        self.subject = ParagraphStyle(
            "subject",
            parent=base,
            fontName=LATIN_BOLD,
            fontSize=20,
            leading=25,
            alignment=TA_CENTER,
        )
        self.warning = ParagraphStyle(
            "warning", parent=base, fontName=LATIN_BOLD, textColor=WARNING, alignment=TA_CENTER
        )
        self.head = ParagraphStyle("head", parent=base, fontName=LATIN_BOLD, fontSize=8, leading=10)
        self.term = ParagraphStyle("term", parent=self.small, fontName=LATIN_BOLD)
        self.caption = ParagraphStyle("caption", parent=self.small, alignment=TA_CENTER)


def _border(canvas: Canvas, _document: Any) -> None:
    """A double green frame, as certificates have, and the issuer's line at the foot."""
    width, height = PAGE
    canvas.saveState()
    canvas.setStrokeColor(GREEN)
    canvas.setLineWidth(2)
    canvas.rect(8 * mm, 8 * mm, width - 16 * mm, height - 16 * mm)
    canvas.setLineWidth(0.5)
    canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    canvas.setFillColor(MUTED)
    label = _("Page %(page)d") % {"page": canvas.getPageNumber()}
    _draw_mixed(canvas, width - MARGIN - _mixed_width(label, 7), 12 * mm, label, 7)
    canvas.restoreState()


def _facts_table(facts: CertificateFacts, styles: _Styles) -> Table:
    rows = [
        (_("Certificate number"), facts.serial),
        (_("Subject"), f"{facts.subject_name} · {facts.subject_kind}"),
        (_("Country"), f"{facts.country_name} ({facts.country})"),
        (
            _("Standard"),
            f"{facts.standard_title} ({facts.standard_id} {facts.standard_version})",
        ),
        (_("Assurance tier"), facts.tier_label or "—"),
        (_("Level"), facts.level_label),
        (_("Overall result"), f"{facts.overall_percent} %"),
        (_("Decided on"), facts.decision_date),
        (
            _("Valid"),
            _("from %(start)s until %(end)s")
            % {"start": facts.valid_from, "end": facts.valid_until},
        ),
        (_("Issued by"), f"{facts.issuer}, {facts.issued_at}"),
        (_("Signing key"), facts.key_id),
    ]
    table = Table(
        [[_p(term, styles.term), _p(value, styles.small)] for term, value in rows],
        colWidths=[36 * mm, 92 * mm],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _criteria_table(facts: CertificateFacts, styles: _Styles) -> Table | Paragraph:
    if not facts.criteria:
        return _p(_("No criterion scores were recorded."), styles.muted)
    rows: list[list[Any]] = [
        [_p(_("Criterion"), styles.head), _p(_("Score"), styles.head)],
        *(
            [
                _p(f"{code} {title}".strip(), styles.small),
                _p(f"{percent} %" if percent else _("n/a"), styles.small),
            ]
            for code, title, percent in facts.criteria
        ),
    ]
    table = Table(rows, colWidths=[70 * mm, 18 * mm], repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def certificate_pdf(
    document: Mapping[str, Any], *, status: str = "", compress: bool = True
) -> bytes:
    """The certificate of a stored signed ``document`` as an A4 landscape PDF.

    ``status`` is the recognition's current status in the registry: a suspended or expired
    recognition says so on the paper too. ``compress=False`` helps tests read the raw file.
    """
    _register_fonts()
    styles = _Styles()
    facts = certificate_facts(document)
    story: list[Any] = [
        _p(_("World Environmental Hubs"), styles.kicker),
        _p(_("Certificate of recognition"), styles.title),
        _p(_("This certifies that"), styles.lead),
        Spacer(1, 2 * mm),
        _p(facts.subject_name, styles.subject),
        Spacer(1, 1 * mm),
        _p(
            _(
                "is recognised against %(standard)s at the level “%(level)s”, assurance tier "
                "“%(tier)s”, by decision of %(date)s."
            )
            % {
                "standard": facts.standard_title,
                "level": facts.level_label,
                "tier": facts.tier_label or "—",
                "date": facts.decision_date,
            },
            styles.lead,
        ),
    ]
    if status and status != RecognitionStatus.ACTIVE:
        story += [
            Spacer(1, 2 * mm),
            _p(
                _("Status in the registry when this file was made: %(status)s.")
                % {"status": status_label(status)},
                styles.warning,
            ),
        ]
    story.append(Spacer(1, 5 * mm))

    code = Image(io.BytesIO(qr.qr_png(facts.registry_url)), width=QR_SIZE, height=QR_SIZE)
    check = [
        code,
        _p(_("Scan to see the current status in the registry:"), styles.caption),
        _p(facts.registry_url, styles.caption),
    ]
    body = Table(
        [[_facts_table(facts, styles), _criteria_table(facts, styles), check]],
        colWidths=[132 * mm, 92 * mm, PAGE[0] - 2 * MARGIN - 224 * mm],
    )
    body.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("ALIGN", (2, 0), (2, 0), "CENTER"),
            ]
        )
    )
    story += [
        body,
        Spacer(1, 4 * mm),
        _p(
            _(
                "Verify the signed certificate offline: download %(file)s from the registry page "
                "and run “weh verify certificate %(file)s --url %(site)s”."
            )
            % {"file": f"{facts.serial}.json", "site": _site_of(facts.registry_url)},
            styles.muted,
        ),
    ]

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=14 * mm,
        bottomMargin=16 * mm,
        title=f"{facts.serial} — {facts.subject_name}",
        author=facts.issuer,
        subject=_("Certificate of recognition"),
        creator="WEH",
        # Reproducible: no creation time or random file id, so one ETag means one file.
        invariant=1,
        pageCompression=int(compress),
    ).build(story, onFirstPage=_border, onLaterPages=_border)
    return buffer.getvalue()


def _site_of(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
