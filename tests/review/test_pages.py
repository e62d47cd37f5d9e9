"""The review pages: what each person sees, and forms that refuse bad input with field errors."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.review.conftest import Cast, pledge, rate_all, recognised, submit_reviews, to_review
from weh.review import services
from weh.review.models import Alert, AssignmentState, Recognition


def page(client: Client, cast: Cast) -> str:
    response = client.get(reverse("review:assessment", args=[cast.assessment.pk]))
    assert response.status_code == 200
    return response.content.decode()


def post(client: Client, cast: Cast, step: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(reverse("review:step", args=[cast.assessment.pk, step]), data)


def test_secretariat_sees_the_pool_with_conflicts_disabled(client: Client, cast: Cast) -> None:
    services.submit_assessment(actor=cast.applicant, assessment_id=cast.assessment.pk)
    client.force_login(cast.secretary)
    html = page(client, cast)
    assert "Start the review" in html
    conflicted = re.search(
        rf'<option value="{cast.conflicted.pk}" disabled>[^<]*conflict of interest', html
    )
    assert conflicted
    assert re.search(rf'<option value="{cast.reviewers[0].pk}">', html)
    response = post(client, cast, "assign", {"reviewer": cast.conflicted.pk})
    assert response.status_code == 302
    follow = client.get(response["Location"]).content.decode()
    assert "conflict of interest" in follow
    assert not cast.assessment.review_assignments.exists()
    post(client, cast, "assign", {"reviewer": cast.reviewers[0].pk})
    assert cast.assessment.review_assignments.get().reviewer == cast.reviewers[0]


def test_reviewer_declares_then_rates_blind(client: Client, cast: Cast) -> None:
    ids = to_review(cast)
    rate_all(cast.reviewers[1], ids[1], cast.assessment, "partial")
    client.force_login(cast.reviewers[0])
    html = page(client, cast)
    assert "Your ratings" in html
    # The other reviewer's ratings and comments stay hidden.
    assert 'value="partial" selected' not in html
    assert "Checked." not in html
    code = cast.assessment.responses.order_by("indicator__position").first().indicator.code
    response = post(
        client,
        cast,
        "ratings",
        {"assignment": ids[0], "indicator": [code], f"rating-{code}": "nonsense"},
    )
    assert response.status_code == 422
    assert "Choose one of" in response.content.decode()
    assert not cast.assessment.review_assignments.get(pk=ids[0]).ratings.exists()
    response = post(
        client,
        cast,
        "submit-review",
        {"assignment": ids[0], "recommendation": "recognise", "tier": "", "summary": ""},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Name the assurance tier you recommend." in body
    assert "Summarise your review for the committee." in body
    assert "Rate every indicator before submitting" in body


def test_declaration_needs_the_box_ticked(client: Client, cast: Cast) -> None:
    services.submit_assessment(actor=cast.applicant, assessment_id=cast.assessment.pk)
    assignment = services.assign_reviewer(
        actor=cast.secretary, assessment_id=cast.assessment.pk, reviewer_id=cast.reviewers[0].pk
    )
    client.force_login(cast.reviewers[0])
    assert "Declaration of no conflict of interest" in page(client, cast)
    response = post(client, cast, "declare", {"assignment": assignment.pk})
    assert response.status_code == 422
    assert "Tick the box to sign the declaration." in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.ASSIGNED
    post(client, cast, "declare", {"assignment": assignment.pk, "confirm": "on"})
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.ACCEPTED


def test_outsiders_and_applicants_cannot_act_as_secretariat(client: Client, cast: Cast) -> None:
    services.submit_assessment(actor=cast.applicant, assessment_id=cast.assessment.pk)
    client.force_login(cast.applicant)
    response = post(client, cast, "start-review", {})
    assert response.status_code == 403
    assert "Only the secretariat may start the review" in response.content.decode()
    client.force_login(cast.reviewers[0])  # not assigned: cannot even see it
    assert client.get(reverse("review:assessment", args=[cast.assessment.pk])).status_code == 404
    assert post(client, cast, "start-review", {}).status_code == 404
    cast.assessment.refresh_from_db()
    assert cast.assessment.status == "submitted"


def test_reconciliation_highlights_disagreements(client: Client, cast: Cast) -> None:
    submit_reviews(cast, to_review(cast), ("strong", "adequate"))
    client.force_login(cast.secretary)
    html = client.get(reverse("review:reconciliation", args=[cast.assessment.pk])).content.decode()
    count = cast.assessment.responses.count()
    assert html.count('class="disagreement"') == count
    assert f"{count} indicators where the ratings disagree" in html
    # The applicant sees the reviews only after the decision, without names.
    client.force_login(cast.applicant)
    html = client.get(reverse("review:reconciliation", args=[cast.assessment.pk])).content.decode()
    assert "No review you may see yet" in html
    pledge(cast)
    services.recognise_assessment(
        actor=cast.secretary, assessment_id=cast.assessment.pk, tier="reviewed", reasons="Fine."
    )
    html = client.get(reverse("review:reconciliation", args=[cast.assessment.pk])).content.decode()
    assert "Reviewer 1" in html
    assert cast.reviewers[0].username not in html


def test_decision_form_shows_what_each_tier_lacks(client: Client, cast: Cast) -> None:
    to_review(cast)
    client.force_login(cast.secretary)
    html = page(client, cast)
    assert "a signed pledge to the WEH principles by the owning organisation" in html
    response = post(client, cast, "recognise", {"tier": "reviewed", "reasons": ""})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Give the reasons for this decision." in body
    assert "This tier needs 1 completed review(s); 0 submitted so far." in body
    assert not Recognition.objects.exists()


def test_alert_triage_page(client: Client, cast: Cast) -> None:
    recognition = recognised(cast)
    alert = services.file_alert(
        actor=None, serial=recognition.serial, body="The restored wetland was drained in May."
    )
    client.force_login(cast.applicant)
    assert client.get(reverse("review:alerts")).status_code == 403
    client.force_login(cast.secretary)
    html = client.get(reverse("review:alerts")).content.decode()
    assert "The restored wetland was drained in May." in html
    response = client.post(reverse("review:alerts"), {"alert": alert.pk, "state": "substantiated"})
    assert response.status_code == 422
    assert "Record why." in response.content.decode()
    client.post(
        reverse("review:alerts"),
        {"alert": alert.pk, "state": "substantiated", "note": "Confirmed on imagery."},
    )
    assert Alert.objects.get().state == "substantiated"
    response = client.post(
        reverse("review:recognition_step", args=[recognition.serial, "suspend"]),
        {"reasons": "Drained wetland."},
    )
    assert response.status_code == 302
    recognition.refresh_from_db()
    assert recognition.status == "suspended"


def test_pledge_page(client: Client, cast: Cast) -> None:
    client.force_login(cast.applicant)
    response = client.post(
        reverse("review:pledges"),
        {"organisation": cast.assessment.owner_id, "signatory_name": "", "signed_on": "2025-01-01"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Name the person who signed." in body
    assert "signatory&#x27;s title" in body.lower() or "Give the signatory" in body
    client.post(
        reverse("review:pledges"),
        {
            "organisation": cast.assessment.owner_id,
            "signatory_name": "Oh Young-hun",
            "signatory_title": "Governor",
            "signed_on": "2025-01-01",
        },
    )
    assert "Oh Young-hun, Governor" in client.get(reverse("review:pledges")).content.decode()


def test_queue_lists_work_for_each_person(client: Client, cast: Cast) -> None:
    ids = to_review(cast)
    client.force_login(cast.secretary)
    html = client.get(reverse("review:queue")).content.decode()
    assert "Jeju" in html
    assert "Reviewer pool" in html
    client.force_login(cast.reviewers[0])
    html = client.get(reverse("review:queue")).content.decode()
    assert "Assessments you review" in html
    assert "Reviewing" in html
    assert "Reviewer pool" not in html
    assert ids


@pytest.mark.parametrize("name", ["queue", "reviewers", "pledges", "alerts"])
def test_review_pages_need_a_login(client: Client, name: str) -> None:
    response = client.get(reverse(f"review:{name}"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
