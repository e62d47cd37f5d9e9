"""Exports of assessments: the action plan as CSV and PDF, an organisation's portfolio as CSV.

CSV files start with a byte-order mark so that spreadsheet programs read them as UTF-8, and any
cell that a spreadsheet could take for a formula is neutralised with a leading apostrophe.
PDFs are A4 documents laid out with ReportLab; text outside the Latin range (Chinese, Korean,
Greek, Cyrillic, arrows…) is set in ReportLab's built-in CID fonts, which PDF readers supply.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from weh.assessments.models import Assessment, AssessmentStatus
from weh.assessments.selectors import PlanRow
from weh.registry.models import SubjectKind
from weh.standards.definition import StandardDefinition
from weh.standards.models import StandardVersion, in_language
from weh.standards.scoring import Result

BOM = "\ufeff"
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return BOM + out.getvalue()


def _criterion_label(code: str, title: str) -> str:
    return f"{code} {title}" if title else code


def action_plan_csv(assessment: Assessment, rows: list[PlanRow]) -> str:
    """The action plan as CSV text (with BOM), one line per indicator, in the plan's order."""
    header = [
        _("Indicator"),
        _("Criterion"),
        _("Statement"),
        _("Current rating"),
        _("Next rating"),
        _("Lift (percentage points)"),
        _("Blocks"),
        _("Guidance"),
    ]
    return _csv(
        header,
        (
            [
                row.indicator,
                _criterion_label(row.criterion, row.criterion_title),
                row.statement,
                row.current,
                row.target,
                row.lift,
                "; ".join(row.blocks),
                row.guidance,
            ]
            for row in rows
        ),
    )


def _percent(value: Decimal | None, decimals: int = 1) -> str:
    if value is None:
        return ""
    return str(Decimal(value).quantize(Decimal(1).scaleb(-decimals)))


def portfolio_csv(rows: list[dict[str, Any]]) -> str:
    """The rows of ``selectors.portfolio`` as CSV text (with BOM)."""
    versions = {
        v.pk: v
        for v in StandardVersion.objects.filter(pk__in={row["standard_version_id"] for row in rows})
    }
    header = [
        _("Subject"),
        _("Country"),
        _("Kind"),
        _("Standard"),
        _("Status"),
        _("Overall %"),
        _("Count"),
        _("Outcome"),
        _("Answered"),
        _("Applicable"),
        _("Updated"),
    ]
    statuses = dict(AssessmentStatus.choices)
    kinds = dict(SubjectKind.choices)
    lines = []
    for row in rows:
        version = versions.get(row["standard_version_id"])
        definition = version.parsed() if version is not None else None
        decimals = definition.scoring.decimals if definition is not None else 1
        outcomes = _outcome_labels(definition) if definition is not None else {}
        updated = row["updated_at"]
        lines.append(
            [
                row["subject__name"],
                row["subject__country"],
                kinds.get(row["subject__kind"], row["subject__kind"]),
                f"{row['standard_version__standard_id']}@{row['standard_version__version']}",
                statuses.get(row["status"], row["status"]),
                _percent(row["overall_percent"], decimals),
                "" if row["overall_count"] is None else row["overall_count"],
                outcomes.get(row["outcome"], row["outcome"]),
                row["answered"],
                row["applicable"],
                timezone.localtime(updated).strftime("%Y-%m-%d %H:%M") if updated else "",
            ]
        )
    return _csv(header, lines)


def _outcome_labels(definition: StandardDefinition) -> dict[str, str]:
    return {o.code: in_language(o.label) for o in definition.outcomes}


# ---------------------------------------------------------------------------------------------
# PDF

LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
LATIN_ITALIC = "Helvetica-Oblique"
CHINESE_FONT = "STSong-Light"
KOREAN_FONT = "HYSMyeongJo-Medium"

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")

INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#cbd2d9")
HEAD_BG = colors.HexColor("#e4e7eb")
ZEBRA = colors.HexColor("#f5f7fa")


def _register_fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    for name in (CHINESE_FONT, KOREAN_FONT):
        if name not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def _latin(char: str) -> bool:
    """Can the standard PDF fonts (WinAnsi encoding) show this character?"""
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _font_for(char: str) -> str | None:
    """None for the paragraph's own (Latin) font, else the CID font that has the character."""
    if _latin(char) or char.isspace():
        return None
    if _HANGUL.match(char):
        return KOREAN_FONT
    return CHINESE_FONT


# Letters that neither the standard fonts nor the CID fonts have (Vietnamese ộ, Polish ł, Greek
# ά…) are shown as their base letter rather than as empty boxes.
_STROKED = str.maketrans("ĐđŁłĦħŦŧƀƗɨ", "DdLlHhTtbIi")


def _in_cid_font(char: str) -> bool:
    if _HANGUL.match(char):
        return True
    try:
        char.encode("gbk")  # what STSong-Light (Adobe-GB1) covers
    except UnicodeEncodeError:
        return False
    return True


def _showable(text: str) -> str:
    out = []
    for char in text:
        if not _latin(char) and not _in_cid_font(char):
            base = "".join(
                c
                for c in unicodedata.normalize("NFKD", char.translate(_STROKED))
                if not unicodedata.combining(c)
            )
            if base and all(_latin(c) or _in_cid_font(c) for c in base):
                char = base
        out.append(char)
    return "".join(out)


def _runs(text: str) -> list[tuple[str | None, str]]:
    """Split text into runs of one font: ``[(font or None, text), …]``."""
    runs: list[tuple[str | None, str]] = []
    for char in _showable(text):
        font = _font_for(char)
        if runs and (runs[-1][0] == font or (char.isspace() and runs[-1][0] is not None)):
            runs[-1] = (runs[-1][0], runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _markup(text: str) -> str:
    """Paragraph markup for plain text: escaped, non-Latin runs set in a CID font."""
    parts = []
    for font, run in _runs(text):
        run = escape(run).replace("\n", "<br/>")
        parts.append(f'<font face="{font}">{run}</font>' if font else run)
    return "".join(parts)


def _is_cjk(text: str) -> bool:
    return bool(_CJK.search(text) or _HANGUL.search(text))


class _Styles:
    def __init__(self) -> None:
        base = ParagraphStyle("body", fontName=LATIN_FONT, fontSize=9, leading=11.5, textColor=INK)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=8, leading=10)
        self.muted = ParagraphStyle("muted", parent=base, fontSize=9, textColor=MUTED)
        self.title = ParagraphStyle(
            "title", parent=base, fontName=LATIN_BOLD, fontSize=18, leading=23, spaceAfter=2
        )
        self.subtitle = ParagraphStyle("subtitle", parent=base, fontSize=11, leading=14)
        self.heading = ParagraphStyle(
            "heading",
            parent=base,
            fontName=LATIN_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=12,
            spaceAfter=5,
        )
        self.head = ParagraphStyle("head", parent=base, fontName=LATIN_BOLD, fontSize=8, leading=10)
        self.number = ParagraphStyle("number", parent=self.small, alignment=TA_RIGHT)
        self.strong = ParagraphStyle("strong", parent=base, fontName=LATIN_BOLD)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    if _is_cjk(text):
        # Chinese and Korean lines break between characters, not only at spaces.
        style = ParagraphStyle(f"{style.name}-cjk", parent=style, wordWrap="CJK")
    return Paragraph(_markup(text), style)


def _tint(hex_colour: str, share: float = 0.22) -> colors.Color:
    """The colour mixed with white, light enough for black text on top."""
    c = colors.HexColor(hex_colour)
    return colors.Color(
        1 - share * (1 - c.red), 1 - share * (1 - c.green), 1 - share * (1 - c.blue)
    )


def _draw_mixed(canvas: Canvas, x: float, y: float, text: str, size: float) -> float:
    """Draw text whose runs may need CID fonts; return the width drawn."""
    start = x
    for font, run in _runs(text):
        name = font or LATIN_FONT
        canvas.setFont(name, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, name, size)
    return x - start


def _mixed_width(text: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(run, font or LATIN_FONT, size) for font, run in _runs(text))


def _numbered_canvas(footer_left: str) -> type[Canvas]:
    """A canvas that writes "Page n of N" on every page, once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            width, _height = A4
            y = 10 * mm
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(18 * mm, y + 4 * mm, width - 18 * mm, y + 4 * mm)
            self.setFillColor(MUTED)
            _draw_mixed(self, 18 * mm, y, footer_left, 7.5)
            label = _("Page %(page)d of %(pages)d") % {
                "page": self._pageNumber,
                "pages": total,
            }
            _draw_mixed(self, width - 18 * mm - _mixed_width(label, 7.5), y, label, 7.5)
            self.restoreState()

    return NumberedCanvas


def _overall_text(result: Result, definition: StandardDefinition) -> str:
    if result.overall is not None:
        return f"{result.overall.value} %"
    if result.overall_count is not None:
        rating = definition.scoring.count_rating
        label = next(
            (in_language(r.label) for r in definition.rating_scale.ratings if r.code == rating),
            rating or "",
        )
        return _("%(count)d indicators rated %(rating)s") % {
            "count": result.overall_count,
            "rating": label,
        }
    return "—"


def _table_style(extra: list[tuple[Any, ...]] | None = None) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    return TableStyle(commands + (extra or []))


def action_plan_pdf(
    assessment: Assessment,
    result: Result,
    rows: list[PlanRow],
    *,
    generated: datetime | None = None,
    compress: bool = True,
    invariant: bool = False,
) -> bytes:
    """The assessment's result and action plan as an A4 PDF.

    ``compress=False`` and ``invariant=True`` give an uncompressed, byte-for-byte reproducible
    file (for tests); ``generated`` fixes the date printed on it.
    """
    _register_fonts()
    styles = _Styles()
    version = assessment.standard_version
    definition = version.parsed()
    subject = assessment.subject
    subject_name = subject.display_name()
    generated = timezone.localtime(generated or timezone.now())
    bands = {b.code: b for b in definition.scoring.bands}
    outcome = next((o for o in definition.outcomes if o.code == result.outcome), None)

    story: list[Any] = []
    story.append(_p(subject_name, styles.title))
    if assessment.title:
        story.append(_p(assessment.title, styles.subtitle))
    story.append(
        _p(
            _("%(standard)s, version %(version)s")
            % {"standard": version.display_title, "version": version.version},
            styles.subtitle,
        )
    )
    story.append(Spacer(1, 2 * mm))
    story.append(
        _p(
            _("Generated %(date)s · Status: %(status)s")
            % {
                "date": generated.strftime("%Y-%m-%d %H:%M"),
                "status": assessment.get_status_display(),
            },
            styles.muted,
        )
    )

    # Summary
    story.append(_p(_("Summary"), styles.heading))
    outcome_label = in_language(outcome.label) if outcome else result.outcome
    summary = [
        [_p(_("Outcome"), styles.strong), _p(outcome_label, styles.body)],
        [_p(_("Overall"), styles.strong), _p(_overall_text(result, definition), styles.body)],
        [
            _p(_("Answered"), styles.strong),
            _p(
                _("%(answered)d of %(applicable)d applicable indicators")
                % {"answered": result.answered, "applicable": result.applicable},
                styles.body,
            ),
        ],
    ]
    if outcome is not None and outcome.description:
        summary.append([_p("", styles.body), _p(in_language(outcome.description), styles.muted)])
    summary_table = Table(summary, colWidths=[32 * mm, 142 * mm], hAlign="LEFT")
    summary_style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if outcome is not None:
        summary_style.append(("BACKGROUND", (1, 0), (1, 0), _tint(outcome.colour)))
        summary_style.append(("LEFTPADDING", (1, 0), (1, 0), 4))
    summary_table.setStyle(TableStyle(summary_style))
    story.append(summary_table)

    # Criteria
    story.append(_p(_("Criteria"), styles.heading))
    titles = {c.code: in_language(c.title) for c in definition.all_criteria()}
    criteria_rows: list[list[Any]] = [
        [
            _p(_("Code"), styles.head),
            _p(_("Criterion"), styles.head),
            _p(_("Score"), styles.head),
            _p(_("Band"), styles.head),
        ]
    ]
    band_styles: list[tuple[Any, ...]] = []
    for index, criterion in enumerate(result.criteria, start=1):
        band = bands.get(criterion.band or "")
        criteria_rows.append(
            [
                _p(criterion.code, styles.small),
                _p(titles.get(criterion.code, ""), styles.small),
                _p(
                    f"{criterion.percent.value} %" if criterion.percent else _("n/a"),
                    styles.number,
                ),
                _p(in_language(band.label) if band else "—", styles.small),
            ]
        )
        if band is not None:
            band_styles.append(("BACKGROUND", (3, index), (3, index), _tint(band.colour)))
    # The code column fits the longest code ("C1", "1.2", "urban-design"…).
    code_width = min(
        40 * mm,
        max(14 * mm, *(_mixed_width(c.code, 8) + 10 for c in result.criteria)),
    )
    criteria_table = Table(
        criteria_rows,
        colWidths=[code_width, 126 * mm - code_width, 20 * mm, 28 * mm],
        repeatRows=1,
    )
    criteria_table.setStyle(_table_style(band_styles))
    story.append(criteria_table)

    # Action plan
    heading = _p(_("Action plan"), ParagraphStyle("plan", parent=styles.heading, keepWithNext=1))
    intro = _p(
        _(
            "Indicators below the top rating, the largest gain first. The lift is what the "
            "overall result would gain, in percentage points, by reaching the next rating."
        ),
        ParagraphStyle("intro", parent=styles.muted, keepWithNext=1),
    )
    if not rows:
        story.append(heading)
        story.append(_p(_("Nothing to improve: every indicator has the top rating."), styles.body))
    else:
        plan: list[list[Any]] = [
            [
                _p(_("Indicator"), styles.head),
                _p(_("Statement"), styles.head),
                _p(_("Current → next"), styles.head),
                _p(_("Lift"), styles.head),
                _p(_("Guidance"), styles.head),
            ]
        ]
        for row in rows:
            statement: list[Any] = [_p(row.statement, styles.small)]
            if row.blocks:
                statement.append(
                    _p(
                        _("Blocks: %(gates)s") % {"gates": "; ".join(row.blocks)},
                        ParagraphStyle(
                            "blocks",
                            parent=styles.small,
                            textColor=colors.HexColor("#b71c1c"),
                            fontName=LATIN_ITALIC,
                        ),
                    )
                )
            plan.append(
                [
                    _p(row.indicator, styles.small),
                    statement,
                    _p(f"{row.current} → {row.target}", styles.small),
                    _p(f"+{row.lift}", styles.number),
                    _p(row.guidance, styles.small),
                ]
            )
        plan_table = Table(
            plan,
            colWidths=[15 * mm, 56 * mm, 31 * mm, 12 * mm, 60 * mm],
            repeatRows=1,
        )
        plan_table.setStyle(
            _table_style([("BACKGROUND", (0, i), (-1, i), ZEBRA) for i in range(2, len(plan), 2)])
        )
        story += [heading, intro, Spacer(1, 2 * mm), plan_table]

    buffer = io.BytesIO()
    footer = f"{subject_name} · {version.key}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=f"{subject_name} — {version.display_title}",
        author="World Environmental Hubs",
        subject=_("Action plan"),
        creator="WEH",
        invariant=int(invariant),
        pageCompression=int(compress),
    )
    document.build(story, canvasmaker=_numbered_canvas(footer))
    return buffer.getvalue()
