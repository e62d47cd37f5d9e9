"""Exports: the action plan as CSV and PDF, the portfolio as CSV."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tests.factories import SubjectFactory
from weh.assessments import exports, selectors, services
from weh.assessments.selectors import PlanRow
from weh.standards.models import in_language

pytestmark = pytest.mark.django_db

NBS_CODES = [
    *("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "3.4"),
    *("4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "5.4", "5.5", "6.1"),
    *("6.2", "6.3", "7.1", "7.2", "7.3", "8.1", "8.2", "8.3"),
]


def answer_all(actor, assessment, lower: dict[str, str], top: str = "strong") -> None:  # type: ignore[no-untyped-def]
    """Rate every indicator ``top`` except those given in ``lower``."""
    services.save_responses(
        actor=actor,
        assessment_id=assessment.pk,
        items=[
            {"indicator": code, "rating": lower.get(code, top), "justification": f"See {code}."}
            for code in (r.indicator.code for r in selectors.responses_of(assessment))
        ],
    )


@pytest.fixture
def small(applicant, jeju):  # type: ignore[no-untyped-def]
    """Jeju against the NbS standard: all Strong but three indicators."""
    assessment = services.start_assessment(
        actor=applicant, subject_id=jeju.pk, standard="iucn-nbs@1.0"
    )
    answer_all(applicant, assessment, {"1.3": "adequate", "3.2": "insufficient", "5.4": "partial"})
    assessment.refresh_from_db()
    return assessment


def parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_action_plan_csv_exact(small) -> None:  # type: ignore[no-untyped-def]
    rows = selectors.action_plan(small)
    text = exports.action_plan_csv(small, rows)
    assert text.startswith(
        "\ufeffIndicator,Criterion,Statement,Current rating,Next rating,"
        "Lift (percentage points),Blocks,Guidance\r\n1.3,C1 Addresses societal challenges "
        "effectively,"
    )
    definition = small.standard_version.parsed()
    indicators = {i.code: i for i in definition.indicators()}

    def guidance(code: str, rating: str) -> str:
        indicator = indicators[code]
        return f"{in_language(indicator.levels[rating])} {in_language(indicator.guidance)}"

    def statement(code: str) -> str:
        return in_language(indicators[code].statement)

    # mean of 8 criteria: one more point in C1 (max 9) lifts the overall by 100/72 = 1.4;
    # in C3 (max 12) by 100/96 = 1.0; in C5 (max 15) by 100/120 = 0.8.
    assert parse(text) == [
        [
            "Indicator",
            "Criterion",
            "Statement",
            "Current rating",
            "Next rating",
            "Lift (percentage points)",
            "Blocks",
            "Guidance",
        ],
        [
            "1.3",
            "C1 Addresses societal challenges effectively",
            statement("1.3"),
            "Adequate",
            "Strong",
            "1.4",
            "",
            guidance("1.3", "strong"),
        ],
        [
            "3.2",
            "C3 Net gain for biodiversity and ecosystem integrity",
            statement("3.2"),
            "Insufficient",
            "Partial",
            "1.0",
            "",
            guidance("3.2", "partial"),
        ],
        [
            "5.4",
            "C5 Inclusive, transparent and empowering governance",
            statement("5.4"),
            "Partial",
            "Adequate",
            "0.8",
            "",
            guidance("5.4", "adequate"),
        ],
    ]
    assert text.count("\r\n") == 4


def test_csv_neutralises_formulas() -> None:
    row = PlanRow(
        indicator="=1+1",
        criterion="+C1",
        criterion_title="",
        statement="-2",
        current="@SUM(A1)",
        target='=HYPERLINK("http://evil.example")',
        lift=Decimal("1.0"),
        blocks=("\tcmd",),
        guidance="Safe = fine",
    )
    lines = parse(exports.action_plan_csv(None, [row]))  # type: ignore[arg-type]
    assert lines[1] == [
        "'=1+1",
        "'+C1",
        "'-2",
        "'@SUM(A1)",
        '\'=HYPERLINK("http://evil.example")',
        "1.0",
        "'\tcmd",
        "Safe = fine",
    ]


def test_portfolio_csv(applicant, jeju, organisation) -> None:  # type: ignore[no-untyped-def]
    SubjectFactory(owner=organisation, name="=cmd|' /C calc'!A0", country="KR")
    hostile = SubjectFactory(owner=organisation, name="@Hostile", country="KR")
    first = services.start_assessment(actor=applicant, subject_id=jeju.pk, standard="uea@2005")
    services.save_responses(
        actor=applicant,
        assessment_id=first.pk,
        items=[
            {"indicator": "A1", "rating": "achieved", "justification": "Solar on every roof."},
            {"indicator": "A2", "rating": "in_progress", "justification": "Audits under way."},
        ],
    )
    services.start_assessment(actor=applicant, subject_id=hostile.pk, standard="iucn-nbs@1.0")
    rows = selectors.portfolio(user=applicant, owner_id=organisation.pk)
    lines = parse(exports.portfolio_csv(rows))
    updated = {
        row["subject__name"]: timezone.localtime(row["updated_at"]).strftime("%Y-%m-%d %H:%M")
        for row in rows
    }
    assert lines == [
        [
            "Subject",
            "Country",
            "Kind",
            "Standard",
            "Status",
            "Overall %",
            "Count",
            "Outcome",
            "Answered",
            "Applicable",
            "Updated",
        ],
        [
            "'@Hostile",
            "KR",
            "Jurisdiction",
            "iucn-nbs@1.0",
            "Draft",
            "0.0",
            "",
            "Does not yet adhere",
            "0",
            "28",
            updated["@Hostile"],
        ],
        [
            "Jeju",
            "KR",
            "Jurisdiction",
            "uea@2005",
            "Draft",
            "",
            "1",
            "Participating",
            "2",
            "21",
            updated["Jeju"],
        ],
    ]


def test_portfolio_csv_empty() -> None:
    assert exports.portfolio_csv([]) == "\ufeffSubject,Country,Kind,Standard,Status,Overall %," + (
        "Count,Outcome,Answered,Applicable,Updated\r\n"
    )


# --- PDF ---------------------------------------------------------------------------------------

_LITERAL = re.compile(rb"\((?:[^()\\]|\\.)*\)\s*Tj", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def shown_strings(pdf: bytes) -> list[bytes]:
    """The strings an uncompressed PDF shows with Tj, unescaped (raw bytes, any encoding)."""
    strings = []
    for match in _LITERAL.finditer(pdf):
        body = match.group(0)[1 : match.group(0).rindex(b")")]
        out = bytearray()
        i = 0
        while i < len(body):
            byte = body[i : i + 1]
            if byte != b"\\":
                out += byte
                i += 1
                continue
            octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(0), 8))
                i += 1 + len(octal.group(0))
            else:
                nxt = body[i + 1 : i + 2]
                out += _ESCAPES.get(nxt, nxt)
                i += 2
        strings.append(bytes(out))
    return strings


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page(?!s)", pdf))


def pdftotext(pdf: bytes, tmp_path) -> str | None:  # type: ignore[no-untyped-def]
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [tool, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def render(assessment, **options):  # type: ignore[no-untyped-def]
    result = selectors.score_of(assessment)
    rows = selectors.action_plan(assessment, result)
    return exports.action_plan_pdf(assessment, result, rows, **options)


def test_pdf_has_title_summary_criteria_and_plan(small, tmp_path) -> None:  # type: ignore[no-untyped-def]
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    pdf = render(small, compress=False, invariant=True, generated=when)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert pages(pdf) >= 1
    shown = b"\n".join(shown_strings(pdf))
    for text in (
        b"Jeju",
        b"IUCN Global Standard for Nature-based Solutions, version 1.0",
        b"Generated 2026-03-01 09:30",
        b"Status: Draft",
        b"Adheres to the Standard",
        b"28 of 28 applicable indicators",
        b"Net gain for biodiversity and ecosystem integrity",
        b"Action plan",
        b"+1.4",
        b"Page 1 of",
    ):
        assert text in shown, text
    # Reproducible with invariant=True.
    assert render(small, compress=False, invariant=True, generated=when) == pdf
    text = pdftotext(pdf, tmp_path)
    if text is not None:
        assert "Jeju" in text
        assert "Adequate → Strong" in text
        assert f"Page {pages(pdf)} of {pages(pdf)}" in text


def test_pdf_is_compressed_by_default(small) -> None:  # type: ignore[no-untyped-def]
    pdf = render(small)
    assert pdf.startswith(b"%PDF-")
    assert b"/FlateDecode" in pdf
    assert b"(Jeju) Tj" not in pdf


def test_pdf_renders_chinese_and_korean(applicant, catalog, organisation, tmp_path) -> None:  # type: ignore[no-untyped-def]
    xianju = SubjectFactory(
        owner=organisation, name="Xianju County", names={"zh": "仙居县"}, country="CN"
    )
    assessment = services.start_assessment(
        actor=applicant, subject_id=xianju.pk, standard="weh-framework@1.0", title="제주 평가"
    )
    with translation.override("zh-hans"):
        pdf = render(assessment, compress=False, invariant=True)
    assert b"/BaseFont /STSong-Light" in pdf
    assert b"/BaseFont /HYSMyeongJo-Medium" in pdf
    shown = b"\n".join(shown_strings(pdf))
    assert "仙居县".encode("utf-16-be") in shown
    assert "제주 평가".encode("utf-16-be") in shown
    assert "世界环境中心".encode("utf-16-be") not in shown  # sanity: only what is shown
    # Many gaps: the plan runs over several pages, each numbered.
    count = pages(pdf)
    assert count >= 3
    # The footer is translated like every other label (digits are set in the Latin font).
    assert "页".encode("utf-16-be") in shown
    assert f"\n{count} \n".encode() in shown
    text = pdftotext(pdf, tmp_path)
    if text is not None:
        assert "仙居县" in text
        assert "제주 평가" in text


def test_pdf_for_a_counted_standard(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = services.start_assessment(actor=applicant, subject_id=jeju.pk, standard="uea@2005")
    answer_all(applicant, assessment, {"A3": "in_progress"}, top="achieved")
    assessment.refresh_from_db()
    shown = b"\n".join(shown_strings(render(assessment, compress=False)))
    assert b"20 indicators rated Achieved" in shown
    assert b"Three stars" in shown


def test_pdf_without_gaps(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = services.start_assessment(
        actor=applicant, subject_id=jeju.pk, standard="iucn-nbs@1.0"
    )
    answer_all(applicant, assessment, {})
    assessment.refresh_from_db()
    shown = b"\n".join(shown_strings(render(assessment, compress=False)))
    assert b"every indicator has the top rating" in shown
    assert b"100.0 %" in shown
