"""The review demo: what a new user finds when trying the review workflow."""

from __future__ import annotations

from collections import Counter

import pytest

from weh.core.signing import certificate_public_keys
from weh.demo.load import load_demo
from weh.review.certificate import verify_certificate
from weh.review.models import Alert, Recognition, ReviewAssignment, ReviewerProfile


@pytest.mark.django_db
def test_review_demo() -> None:
    counts = load_demo()
    assert counts["recognitions"] == 5
    recognitions = list(Recognition.objects.order_by("subject_name"))
    assert Counter(r.tier for r in recognitions) == {
        "reviewed": 3,
        "certified": 1,
        "self_assessed": 1,
    }
    keys = certificate_public_keys()
    for recognition in recognitions:
        statement = verify_certificate(recognition.certificate, keys)
        assert statement["subject"]["name"] == recognition.subject_name
    certified = next(r for r in recognitions if r.tier == "certified")
    assert certified.subject_name == "Nairobi National Park"
    assert certified.decision.committee

    # The walkthrough's assessment waits for the secretariat, with nobody assigned.
    from weh.assessments.models import Assessment

    jeju = Assessment.objects.get(
        subject__name="Jeju Special Self-Governing Province",
        standard_version__standard_id="iucn-nbs",
    )
    assert jeju.status == "submitted"
    assert not jeju.review_assignments.exists()
    assert ReviewerProfile.objects.filter(active=True).count() == 4

    hallasan = ReviewAssignment.objects.filter(
        assessment__subject__name="Hallasan National Park", assessment__status="in_review"
    )
    assert set(hallasan.values_list("state", flat=True)) == {"assigned"}
    returned = Assessment.objects.get(status="returned")
    assert returned.clarifications.get().state == "open"
    assert Alert.objects.get().state == "open"
