"""The applicant's assessment pages: starting, answering with autosave, evidence, suggestions,
history, contributors, submission, results, exports, comparisons, portfolios and downloads."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import OrganisationFactory, SubjectFactory, member
from weh.accounts.models import Role
from weh.assessments import selectors, services
from weh.assessments.models import Assessment, Contributor, Evidence, Response
from weh.registry.models import SubjectKind, SubjectStatus

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
HX = {"HTTP_HX_REQUEST": "true"}

# The content security policy allows no inline script or style: pages must carry none.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=|<style[\s>]", re.IGNORECASE)


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def body(response) -> str:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
    return html


def start(actor, subject, standard="iucn-nbs@1.0", title=""):  # type: ignore[no-untyped-def]
    return services.start_assessment(
        actor=actor, subject_id=subject.pk, standard=standard, title=title
    )


def answer(actor, assessment, code, rating, justification=None, **extra):  # type: ignore[no-untyped-def]
    values = {"rating": rating, "justification": justification or f"Because {code}.", **extra}
    return services.save_response(
        actor=actor, assessment_id=assessment.pk, indicator=code, values=values
    )


def stored(assessment, code) -> Response:  # type: ignore[no-untyped-def]
    return Response.objects.get(assessment=assessment, indicator__code=code)


# --- Starting an assessment ---------------------------------------------------------------------


def test_start_page_offers_the_standards_for_the_kind_of_subject(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(applicant)
    html = body(client.get(f"/subjects/{jeju.pk}/assess/"))
    assert "<h1>Assess Jeju</h1>" in html
    assert 'value="iucn-nbs@1.0"' in html
    assert 'value="uea@2005"' in html
    assert 'value="weh-framework@1.0"' in html
    assert "iucn-green-list" not in html  # protected areas only
    assert "<strong>IUCN Global Standard for Nature-based Solutions</strong>" in html
    assert "IUCN (International Union for Conservation of Nature)" in html
    assert "8 criteria, 28 indicators" in html
    assert "7 criteria, 21 indicators" in html

    response = client.post(
        f"/subjects/{jeju.pk}/assess/", {"standard": "uea@2005", "title": "2026 self-assessment"}
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/"
    assert (assessment.standard_version.key, assessment.title) == (
        "uea@2005",
        "2026 self-assessment",
    )
    assert assessment.coordinator == applicant


def test_start_needs_a_standard(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    html = body(signed_in(applicant).post(f"/subjects/{jeju.pk}/assess/", {"title": "x"}))
    assert "There is a problem" in html
    assert '<span class="field-error" id="standard-error">This field is required.</span>' in html
    assert Assessment.objects.count() == 0


def test_only_applicants_of_the_owner_may_start(viewer, outsider, jeju, organisation) -> None:  # type: ignore[no-untyped-def]
    for user in (viewer, outsider):
        response = signed_in(user).post(f"/subjects/{jeju.pk}/assess/", {"standard": "uea@2005"})
        assert response.status_code == 403
        assert (
            "Only applicants of Jeju Special Self-Governing Province can start assessments of "
            "this subject." in body(response)
        )
    draft = SubjectFactory(owner=organisation, status=SubjectStatus.DRAFT)
    assert signed_in(outsider).get(f"/subjects/{draft.pk}/assess/").status_code == 404
    assert Client().get(f"/subjects/{jeju.pk}/assess/").status_code == 302  # to sign in
    assert Assessment.objects.count() == 0


# --- The list -----------------------------------------------------------------------------------


def test_list_shows_the_assessments_the_user_may_see(applicant, outsider, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju, title="Baseline")
    answer(applicant, assessment, "1.1", "strong")
    html = body(signed_in(applicant).get("/assessments/"))
    assert f'<a href="/assessments/{assessment.pk}/">Jeju — Baseline</a>' in html
    assert "IUCN Global Standard for Nature-based Solutions" in html
    assert '<span class="status status-draft">Draft</span>' in html
    assert '<span class="completeness">1/28</span>' in html
    assert "Does not yet adhere" in html
    assert "<td>4.2 %</td>" in html  # C1 at 33.3 %, the other seven at 0: 33.3 / 8
    assert f'href="/organisations/{jeju.owner_id}/portfolio/"' in html
    assert f'<option value="{jeju.pk}">Jeju (Jurisdiction, KR)</option>' in html
    picked = signed_in(applicant).get("/assessments/start/", {"subject": jeju.pk})
    assert picked["Location"] == f"/subjects/{jeju.pk}/assess/"
    other = body(signed_in(outsider).get("/assessments/"))
    assert "Jeju" not in other
    assert "No assessment to show." in other
    assert "Start an assessment of" not in other  # nothing the outsider may assess


# --- The workspace ------------------------------------------------------------------------------


def test_workspace_shows_header_criteria_and_indicator_cards(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    html = body(signed_in(applicant).get(f"/assessments/{assessment.pk}/"))
    assert "<h1>Jeju</h1>" in html
    assert "<strong>IUCN Global Standard for Nature-based Solutions</strong> · version 1.0" in html
    assert '<span class="status status-draft">Draft</span>' in html
    assert f"<dt>Coordinator</dt><dd>{applicant.username}</dd>" in html
    assert '<progress id="completeness-bar" value="0" max="28">0 %</progress>' in html
    assert "Completeness: 0 of 28 applicable indicators answered" in html
    assert '<h2 id="criterion-C1" class="criterion-title">C1 Addresses societal challenges' in html
    assert html.count('class="indicator-card') == 28
    card = html[html.index('id="indicator-1.1"') :]
    card = card[: card.index("</article>")]
    assert '<span class="indicator-code">1.1</span> The intervention targets' in card
    assert "<summary>Guidance and rating levels</summary>" in card
    for label in ("Insufficient", "Partial", "Adequate", "Strong"):
        assert f"{label}</label>" in card
    assert '<input type="radio" id="rating-1.1-strong" name="rating" value="strong"' in card
    assert f'hx-post="/assessments/{assessment.pk}/indicators/1.1/"' in card
    assert 'hx-trigger="submit, change, keyup changed delay:1500ms target:textarea"' in card
    assert '<input type="hidden" name="version" value="0">' in card
    assert 'name="not_applicable"' not in card  # the NbS standard allows no N/A
    assert f'action="/assessments/{assessment.pk}/indicators/1.1/evidence/file/"' in card
    assert f'action="/assessments/{assessment.pk}/indicators/1.1/evidence/link/"' in card
    assert f'href="/assessments/{assessment.pk}/indicators/1.1/history/"' in card
    assert "/static/weh/assessments.js" in html
    assert "/static/weh/assessments.css" in html


def test_workspace_nests_criteria_in_components_for_three_level_standards(
    applicant, organisation
) -> None:  # type: ignore[no-untyped-def]
    from weh.standards.services import load_catalog

    load_catalog()
    park = SubjectFactory(owner=organisation, name="Hallasan", kind=SubjectKind.PROTECTED_AREA)
    assessment = start(applicant, park, "iucn-green-list@1.1")
    html = body(signed_in(applicant).get(f"/assessments/{assessment.pk}/"))
    assert '<h2 id="component-1" class="component-title">1 Good governance</h2>' in html
    assert '<h3 id="criterion-1.1" class="criterion-title">1.1 Legitimacy and voice</h3>' in html
    assert '<h4 id="indicator-1.1.1-title" class="indicator-title">' in html
    assert 'name="not_applicable"' in html  # the Green List allows N/A with a reason
    assert "Why it does not apply" in html


def test_autosave_returns_the_card_with_the_new_version(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    response = signed_in(applicant).post(
        f"/assessments/{assessment.pk}/indicators/1.1/",
        {"rating": "strong", "justification": "Survey of 2024.", "version": "0"},
        **HX,
    )
    assert response.status_code == 200
    html = body(response)
    assert "<html" not in html
    assert html.lstrip().startswith('<article class="indicator-card" id="indicator-1.1"')
    assert '<input type="hidden" name="version" value="1">' in html
    assert re.search(
        r'<p class="save-status" role="status" aria-live="polite">Saved at \d\d:\d\d</p>', html
    )
    assert '<div id="assessment-progress" class="assessment-progress" hx-swap-oob="true">' in html
    assert '<progress id="completeness-bar" value="1" max="28">' in html
    assert '<p id="save-announcer" hx-swap-oob="innerHTML">Indicator 1.1: Saved at' in html
    assert 'id="rating-1.1-strong" name="rating" value="strong" checked' in html
    saved = stored(assessment, "1.1")
    assert (saved.rating, saved.justification, saved.version) == ("strong", "Survey of 2024.", 1)
    assert saved.updated_by == applicant


def test_stale_version_is_a_409_showing_the_other_answer(applicant, jeju, organisation) -> None:  # type: ignore[no-untyped-def]
    colleague = member(Role.APPLICANT, organisation)
    assessment = start(applicant, jeju)
    services.save_response(
        actor=colleague,
        assessment_id=assessment.pk,
        indicator="3.1",
        values={"rating": "strong", "justification": "Survey 2024."},
        expected_version=0,
    )
    response = signed_in(applicant).post(
        f"/assessments/{assessment.pk}/indicators/3.1/",
        {"rating": "partial", "justification": "Mine.", "version": "0"},
        **HX,
    )
    assert response.status_code == 409
    html = body(response)
    assert "Not saved: someone else changed this answer." in html
    assert f"{colleague.username} saved indicator 3.1 while you were editing it" in html
    assert f"The answer {colleague.username} saved (version 1):" in html
    assert "<dt>Rating</dt><dd>Strong</dd>" in html
    assert "<dd>Survey 2024.</dd>" in html
    # The person's own text stays in the form, now against the current version.
    assert ">Mine.</textarea>" in html
    assert '<input type="hidden" name="version" value="1">' in html
    saved = stored(assessment, "3.1")
    assert (saved.rating, saved.justification, saved.version) == ("strong", "Survey 2024.", 1)


def test_invalid_answer_is_a_422_with_the_field_error(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    response = signed_in(applicant).post(
        f"/assessments/{assessment.pk}/indicators/2.1/",
        {"rating": "adequate", "justification": "  ", "version": "0"},
        **HX,
    )
    assert response.status_code == 422
    html = body(response)
    assert (
        '<span class="field-error" id="justification-2.1-error">Explain this rating: a '
        "justification is required for any rating above Insufficient.</span>" in html
    )
    assert 'aria-invalid="true" aria-describedby="justification-2.1-error"' in html
    assert '<input type="hidden" name="version" value="0">' in html
    assert 'value="adequate" checked' in html
    assert stored(assessment, "2.1").version == 0


def test_without_javascript_the_form_posts_and_comes_back_to_the_card(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    client = signed_in(applicant)
    url = f"/assessments/{assessment.pk}/indicators/1.1/"
    response = client.post(url, {"rating": "adequate", "justification": "Plan.", "version": "0"})
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/#indicator-1.1"
    page = body(client.get(response["Location"]))
    assert '<p class="message message-success">Indicator 1.1 was saved.</p>' in page
    assert stored(assessment, "1.1").rating == "adequate"
    invalid = client.post(url, {"rating": "strong", "justification": "", "version": "1"})
    assert invalid.status_code == 422
    html = body(invalid)
    assert "<html" in html
    assert "Explain this rating" in html
    assert stored(assessment, "1.1").rating == "adequate"


def test_outsiders_and_anonymous_visitors_see_nothing_and_change_nothing(
    applicant, outsider, jeju
) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    evidence = services.add_evidence_file(
        actor=applicant,
        assessment_id=assessment.pk,
        indicator="1.1",
        upload=SimpleUploadedFile("survey.pdf", PDF),
    )
    base = f"/assessments/{assessment.pk}"
    for client in (signed_in(outsider), Client()):
        for url in (
            f"{base}/",
            f"{base}/results/",
            f"{base}/indicators/1.1/history/",
            f"{base}/action-plan.csv",
            f"/evidence/{evidence.pk}/download/",
        ):
            assert client.get(url).status_code == 404, url
        for url, data in (
            (f"{base}/indicators/1.1/", {"rating": "strong", "justification": "x", "version": 0}),
            (f"{base}/indicators/1.1/evidence/link/", {"url": "https://example.org/"}),
            (f"{base}/evidence/{evidence.pk}/remove/", {}),
            (f"{base}/submit/", {}),
        ):
            assert client.post(url, data, **HX).status_code == 404, url
    saved = stored(assessment, "1.1")
    assert (saved.rating, saved.version) == ("", 0)
    assert Evidence.objects.count() == 1


def test_viewer_reads_the_workspace_but_cannot_answer(applicant, viewer, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    client = signed_in(viewer)
    html = body(client.get(f"/assessments/{assessment.pk}/"))
    assert '<p class="notice">You can read this assessment but not change it.</p>' in html
    assert 'class="answer-form"' not in html
    assert "Add evidence" not in html
    response = client.post(
        f"/assessments/{assessment.pk}/indicators/1.1/",
        {"rating": "strong", "justification": "x", "version": "0"},
    )
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in body(response)
    assert stored(assessment, "1.1").version == 0


# --- Evidence -----------------------------------------------------------------------------------


def test_evidence_upload_download_link_and_removal(applicant, jeju, settings) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    client = signed_in(applicant)
    base = f"/assessments/{assessment.pk}/indicators/1.1/evidence"
    response = client.post(
        f"{base}/file/",
        {"file": SimpleUploadedFile("Survey 2024.pdf", PDF), "title": "Household survey"},
        **HX,
    )
    assert response.status_code == 200
    evidence = Evidence.objects.get()
    html = body(response)
    assert f'<a href="/evidence/{evidence.pk}/download/">Household survey</a>' in html
    assert "<small>Survey 2024.pdf, 48\xa0bytes</small>" in html
    assert "The file was added to 1.1." in html

    download = client.get(f"/evidence/{evidence.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="Survey 2024.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    # The stored file is never reachable under MEDIA_URL.
    assert client.get(f"{settings.MEDIA_URL}{evidence.file.name}").status_code == 404

    refused = client.post(f"{base}/link/", {"url": "javascript:alert(1)", "title": "x"}, **HX)
    assert refused.status_code == 422
    assert (
        '<span class="field-error" id="url-1.1-error">Give a web address starting with https:// '
        "or http://.</span>" in body(refused)
    )
    added = client.post(f"{base}/link/", {"url": "https://jeju.go.kr/plan", "title": ""}, **HX)
    assert added.status_code == 200
    assert (
        '<a href="https://jeju.go.kr/plan" rel="noopener noreferrer nofollow">'
        "https://jeju.go.kr/plan</a>" in body(added)
    )
    wrong_type = client.post(f"{base}/file/", {"file": SimpleUploadedFile("x.exe", b"MZ")}, **HX)
    assert wrong_type.status_code == 422
    assert "Files of this type are not accepted." in body(wrong_type)

    removed = client.post(f"/assessments/{assessment.pk}/evidence/{evidence.pk}/remove/", **HX)
    assert removed.status_code == 200
    assert "Household survey" not in body(removed)
    assert list(Evidence.objects.values_list("kind", flat=True)) == ["link"]


# --- Suggestions, history, contributors, submission ---------------------------------------------


def test_crosswalk_suggestions_are_shown_and_confirmed_or_dismissed(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    nbs = start(applicant, jeju)
    answer(applicant, nbs, "1.2", "strong", "Challenge study, 2023.")
    answer(applicant, nbs, "4.1", "adequate", "Cost-benefit analysis.")
    framework = start(applicant, jeju, "weh-framework@1.0")
    client = signed_in(applicant)
    html = body(client.get(f"/assessments/{framework.pk}/"))
    card = html[html.index('id="indicator-W2.2"') :]
    card = card[: card.index("</article>")]
    assert "<strong>Suggested rating:</strong>" in card
    assert (
        "Carried over from IUCN Global Standard for Nature-based Solutions, indicator 1.2 "
        "(rated Strong there), through a crosswalk (equivalent match)." in card
    )
    assert "<blockquote>Challenge study, 2023.</blockquote>" in card
    assert f'action="/assessments/{framework.pk}/indicators/W2.2/suggestion/confirm/"' in card

    confirmed = client.post(
        f"/assessments/{framework.pk}/indicators/W2.2/suggestion/confirm/", **HX
    )
    assert confirmed.status_code == 200
    assert 'value="strong" checked' in body(confirmed)
    assert "Suggested rating:" not in body(confirmed)
    assert stored(framework, "W2.2").suggestion_state == "confirmed"

    dismissed = client.post(f"/assessments/{framework.pk}/indicators/W4.4/suggestion/dismiss/")
    assert dismissed.status_code == 302
    assert stored(framework, "W4.4").suggestion_state == "dismissed"
    again = client.post(f"/assessments/{framework.pk}/indicators/W4.4/suggestion/dismiss/", **HX)
    assert again.status_code == 409
    assert "There is no open suggestion for this indicator." in body(again)


def test_history_lists_every_saved_version(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    answer(applicant, assessment, "1.1", "strong", "First.")
    answer(applicant, assessment, "1.1", "adequate", "Revised after review.")
    html = body(signed_in(applicant).get(f"/assessments/{assessment.pk}/indicators/1.1/history/"))
    assert "<h1>History of indicator 1.1</h1>" in html
    assert "2 saved versions, newest first" in html
    rows = re.findall(
        r"<tr>\s*<td>(\d)</td>.*?<td>(\S+)</td>.*?</svg> (\w+)</td>\s*<td>(.*?)</td>", html, re.S
    )
    assert rows == [
        ("2", applicant.username, "Adequate", "Revised after review."),
        ("1", applicant.username, "Strong", "First."),
    ]


def test_contributors_are_added_by_username(applicant, viewer, outsider, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    client = signed_in(applicant)
    url = f"/assessments/{assessment.pk}/contributors/"
    response = client.post(url, {"username": outsider.username.upper()})
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/#contributors"
    assert list(Contributor.objects.values_list("user__username", flat=True)) == [outsider.username]
    html = body(client.get(f"/assessments/{assessment.pk}/"))
    assert f"<li>{outsider.username} ({outsider.username}) — contributor</li>" in html
    unknown = client.post(url, {"username": "nobody-here"})
    assert unknown.status_code == 422
    assert "No active user has this username." in body(unknown)
    twice = client.post(url, {"username": outsider.username})
    assert "This person already contributes to the assessment." in body(twice)
    refused = signed_in(viewer).post(url, {"username": viewer.username})
    assert refused.status_code == 403
    assert Contributor.objects.count() == 1
    # The contributor from another organisation may now open and answer it.
    assert signed_in(outsider).get(f"/assessments/{assessment.pk}/").status_code == 200


def test_submit_lists_open_indicators_then_submits(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju, "uea@2005")
    client = signed_in(applicant)
    refused = client.post(f"/assessments/{assessment.pk}/submit/")
    assert refused.status_code == 422
    html = body(refused)
    assert '<h2 id="error-summary-title">The assessment was not submitted</h2>' in html
    assert "Rate every applicable indicator first. Still open: A1, A2, A3" in html
    assert '<li><a href="#indicator-A21">A21</a></li>' in html
    services.save_responses(
        actor=applicant,
        assessment_id=assessment.pk,
        items=[
            {"indicator": f"A{i}", "rating": "achieved", "justification": "Done."}
            for i in range(1, 22)
        ],
    )
    response = client.post(f"/assessments/{assessment.pk}/submit/")
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    page = body(client.get(f"/assessments/{assessment.pk}/"))
    assert "The assessment was submitted for review." in page
    assert "This assessment is submitted: its answers can no longer change." in page
    assert 'class="answer-form"' not in page
    assert "<dt>Rating</dt><dd>Achieved</dd>" in page


# --- Results, exports, comparisons --------------------------------------------------------------


def test_results_page_has_the_chart_and_the_same_figures_in_a_table(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    answer(applicant, assessment, "1.1", "strong")
    html = body(signed_in(applicant).get(f"/assessments/{assessment.pk}/results/"))
    assert "<h1>Results for Jeju</h1>" in html
    assert "Does not yet adhere" in html
    assert "<strong>4.2 %</strong>" in html
    assert "✗ Not met:</strong> Every criterion rated at least Partial" in html
    assert "Falling short: C2 Design informed by scale" in html
    # The chart: one bar per criterion, scaled 0 to 100 on 540 px, coloured by band.
    assert 'role="img" aria-labelledby="criteria-chart-title criteria-chart-desc"' in html
    assert '<title id="criteria-chart-title">Percentage reached in each criterion</title>' in html
    assert html.count('<g class="chart-bar">') == 8
    assert '<rect x="10" y="22" width="179.8" height="16" fill="#ef6c00" rx="2"/>' in html
    assert '<rect x="10" y="64" width="0.0" height="16" fill="#c62828" rx="2"/>' in html
    for tick in ("0", "25", "50", "75", "100"):
        assert f'class="chart-tick">{tick}</text>' in html
    # The table beside it.
    assert (
        '<tr><th scope="row">C1 Addresses societal challenges effectively</th>'
        '<td class="number">33.3 %</td>' in html
    )
    assert "<caption>Percentage reached in each criterion</caption>" in html
    # The action plan, largest lift first, with its exports.
    plan = selectors.action_plan(assessment)
    first = plan[0]
    assert (
        f'<th scope="row"><a href="/assessments/{assessment.pk}/#indicator-{first.indicator}">'
        f"{first.indicator}</a></th>" in html
    )
    assert f'<td class="number">+{first.lift}</td>' in html
    assert f'href="/assessments/{assessment.pk}/action-plan.csv"' in html
    assert f'href="/assessments/{assessment.pk}/action-plan.pdf"' in html
    assert "There is no other assessment of this subject against this standard" in html


def test_results_of_a_count_standard_and_of_a_three_level_standard(
    applicant, jeju, organisation
) -> None:  # type: ignore[no-untyped-def]
    uea = start(applicant, jeju, "uea@2005")
    answer(applicant, uea, "A1", "achieved")
    html = body(signed_in(applicant).get(f"/assessments/{uea.pk}/results/"))
    assert "<strong>1 of 21 rated Achieved</strong>" in html
    assert "Participating" in html
    park = SubjectFactory(owner=organisation, name="Hallasan", kind=SubjectKind.PROTECTED_AREA)
    green = start(applicant, park, "iucn-green-list@1.1")
    html = body(signed_in(applicant).get(f"/assessments/{green.pk}/results/"))
    assert '<h2 id="components-title">Components</h2>' in html
    assert '<tr><th scope="row">1 Good governance</th><td class="number">0.0 %</td>' in html
    assert html.count('<g class="chart-bar">') == 17


def test_action_plan_exports(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    answer(applicant, assessment, "1.1", "strong")
    client = signed_in(applicant)
    csv = client.get(f"/assessments/{assessment.pk}/action-plan.csv")
    assert csv.status_code == 200
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        rf'attachment; filename="action-plan-{assessment.pk}-iucn-nbs-\d{{4}}-\d\d-\d\d\.csv"',
        csv["Content-Disposition"],
    )
    lines = csv.content.decode("utf-8").splitlines()
    assert lines[0] == (
        "\ufeffIndicator,Criterion,Statement,Current rating,Next rating,"
        "Lift (percentage points),Blocks,Guidance"
    )
    first = selectors.action_plan(assessment)[0]
    assert lines[1].startswith(f"{first.indicator},{first.criterion} ")
    assert len(lines) == 1 + 27  # every indicator but 1.1, which has the top rating
    pdf = client.get(f"/assessments/{assessment.pk}/action-plan.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_comparison_of_two_assessments_of_one_subject(applicant, outsider, jeju) -> None:  # type: ignore[no-untyped-def]
    earlier = start(applicant, jeju, title="2025")
    answer(applicant, earlier, "1.1", "adequate")
    later = start(applicant, jeju, title="2026")
    answer(applicant, later, "1.1", "strong")
    client = signed_in(applicant)
    results = body(client.get(f"/assessments/{later.pk}/results/"))
    assert f'<option value="{earlier.pk}">' in results
    picked = client.get(f"/assessments/{later.pk}/compare/?other={earlier.pk}")
    assert picked["Location"] == f"/assessments/{later.pk}/compare/{earlier.pk}/"
    html = body(client.get(picked["Location"]))
    assert (
        '<th scope="row">C1 Addresses societal challenges effectively</th>\n'
        '      <td class="number">22.2 %</td>\n'
        '      <td class="number">33.3 %</td>\n'
        '      <td class="number change-up">+11.1</td>\n'
        "      <td>Insufficient → Partial</td>" in html
    )
    assert 'role="img" aria-labelledby="compare-chart-title compare-chart-desc"' in html
    assert html.count('<g class="chart-pair">') == 8
    assert '<rect x="10" y="46" width="119.9" height="14" fill="#90a4ae" rx="2"/>' in html
    assert '<rect x="10" y="62" width="179.8" height="14" fill="#1b5e20" rx="2"/>' in html
    other_subject = start(applicant, SubjectFactory(owner=jeju.owner, name="Seogwipo"))
    assert client.get(f"/assessments/{later.pk}/compare/{other_subject.pk}/").status_code == 404
    assert signed_in(outsider).get(picked["Location"]).status_code == 404


# --- Portfolio ----------------------------------------------------------------------------------


def _portfolio_of(organisation, applicant, count: int) -> list[Assessment]:  # type: ignore[no-untyped-def]
    assessments = []
    for index in range(count):
        subject = SubjectFactory(
            owner=organisation, name=f"Site {index:02d}", country="KR" if index % 2 else "CN"
        )
        assessments.append(start(applicant, subject))
    return assessments


def test_portfolio_filters_sorts_and_summarises(applicant, catalog, organisation) -> None:  # type: ignore[no-untyped-def]
    _first, second, _third = _portfolio_of(organisation, applicant, 3)
    answer(applicant, second, "1.1", "strong")
    client = signed_in(applicant)
    url = f"/organisations/{organisation.pk}/portfolio/"
    html = body(client.get(url))
    assert "<h1>Portfolio of Jeju Special Self-Governing Province</h1>" in html
    assert "<article><strong>3</strong><span>assessments</span></article>" in html
    assert "<article><strong>1.4 %</strong><span>mean overall score</span></article>" in html
    assert "<li>Does not yet adhere: <strong>3</strong></li>" in html
    names = re.findall(r'<a href="/assessments/\d+/">(Site \d\d)</a>', html)
    assert names == ["Site 00", "Site 01", "Site 02"]
    best_first = body(client.get(url, {"sort": "-score"}))
    assert re.findall(r'<a href="/assessments/\d+/">(Site \d\d)</a>', best_first)[0] == "Site 01"
    assert 'aria-sort="descending"><a href="?sort=score">Overall</a>' in best_first
    korea = body(client.get(url, {"country": "KR"}))
    assert re.findall(r'<a href="/assessments/\d+/">(Site \d\d)</a>', korea) == ["Site 01"]
    assert f'href="/organisations/{organisation.pk}/portfolio.csv?country=KR"' in korea
    csv = client.get(f"/organisations/{organisation.pk}/portfolio.csv", {"country": "KR"})
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("\ufeffSubject,Country,Kind,Standard,Status,Overall %")
    assert lines[1].startswith("Site 01,KR,Jurisdiction,iucn-nbs@1.0,Draft,4.2,")
    assert len(lines) == 2


def test_portfolio_says_so_when_the_user_may_not_see_it(
    applicant, outsider, catalog, organisation
) -> None:  # type: ignore[no-untyped-def]
    _portfolio_of(organisation, applicant, 2)
    for client in (signed_in(outsider), Client()):
        html = body(client.get(f"/organisations/{organisation.pk}/portfolio/"))
        assert (
            "You cannot see the assessments of Jeju Special Self-Governing Province: only its "
            "members and the secretariat can." in html
        )
        assert "Site 0" not in html
    assert Client().get("/organisations/999999/portfolio/").status_code == 404


def test_portfolio_queries_do_not_grow_with_the_number_of_subjects(applicant, catalog) -> None:  # type: ignore[no-untyped-def]
    small, large = OrganisationFactory(), OrganisationFactory()
    small_user = member(Role.APPLICANT, small)
    large_user = member(Role.APPLICANT, large)
    _portfolio_of(small, small_user, 3)
    _portfolio_of(large, large_user, 30)
    counts = []
    for organisation, user in ((small, small_user), (large, large_user)):
        client = signed_in(user)
        client.get(f"/organisations/{organisation.pk}/portfolio/")  # warm caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/organisations/{organisation.pk}/portfolio/?sort=-score")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert 0 < counts[0] <= 12, counts
    # One link per assessed subject (the navigation's own link does not end in a number).
    assert len(re.findall(r'<a href="/assessments/\d+/">', body(response))) == 30


# --- Every page under the content security policy -----------------------------------------------


def test_no_page_carries_inline_script_or_style(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    earlier = start(applicant, jeju)
    assessment = start(applicant, jeju)
    answer(applicant, assessment, "1.1", "strong")
    client = signed_in(applicant)
    base = f"/assessments/{assessment.pk}"
    for url in (
        f"/subjects/{jeju.pk}/assess/",
        "/assessments/",
        f"{base}/",
        f"{base}/results/",
        f"{base}/indicators/1.1/history/",
        f"{base}/compare/{earlier.pk}/",
        f"/organisations/{jeju.owner_id}/portfolio/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body(response)
    body(client.get(f"{base}/indicators/1.1/", **HX))


def test_chart_coordinates_stay_numbers_in_every_language(applicant, jeju) -> None:  # type: ignore[no-untyped-def]
    assessment = start(applicant, jeju)
    answer(applicant, assessment, "1.1", "strong")
    client = signed_in(applicant)
    client.cookies["django_language"] = "fr"
    html = body(client.get(f"/assessments/{assessment.pk}/results/"))
    assert '<html lang="fr"' in html
    assert '<rect x="10" y="22" width="179.8" height="16" fill="#ef6c00" rx="2"/>' in html
    assert not re.search(r'(width|x|y)="\d+,\d', html)
