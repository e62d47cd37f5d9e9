"""One assessment from draft to a published recognition, in a real browser: two reviewers, a
question and a returned round, the committee's decision, the public registry and the certificate."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import OrganisationFactory, SubjectFactory, member
from weh.accounts.models import OrganisationType
from weh.assessments import services as assessment_services
from weh.core.signing import certificate_public_keys
from weh.review import services
from weh.review.certificate import verify_certificate
from weh.review.models import Recognition
from weh.standards.services import load_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_user(page: Page, sign_in, username: str) -> Page:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    return sign_in(username)


def rate_everything(page: Page, rating: str) -> None:
    selects = page.locator("table.review-ratings select")
    for index in range(selects.count()):
        selects.nth(index).select_option(rating)
    page.get_by_role("button", name="Save my ratings").click()
    expect(page.get_by_text("Your ratings were saved.")).to_be_visible()


def submit_review(page: Page, summary: str) -> None:
    form = page.locator("form#submit-review")
    form.get_by_label("Recognise").check()
    form.get_by_label("Assurance tier you recommend").select_option("reviewed")
    form.get_by_label("Summary for the committee").fill(summary)
    form.get_by_role("button", name="Submit my review").click()
    expect(page.get_by_text("Your review was submitted.")).to_be_visible()


def test_from_draft_to_a_published_recognition(page: Page, sign_in, live_server) -> None:  # type: ignore[no-untyped-def]
    load_catalog()
    owner = OrganisationFactory(name="Jeju Province", country="KR")
    applicant = member("applicant", owner)
    secretary = member(
        "secretariat", OrganisationFactory(name="Secretariat", type=OrganisationType.SECRETARIAT)
    )
    reviewers = [
        member("reviewer", OrganisationFactory(name=f"Institute {i}", country="FR")) for i in (1, 2)
    ]
    for reviewer in reviewers:
        services.save_reviewer(actor=secretary, user_id=reviewer.pk, standards=["weh-framework"])
    subject = SubjectFactory(owner=owner, name="Jeju", country="KR")
    assessment = assessment_services.start_assessment(
        actor=applicant, subject_id=subject.pk, standard="weh-framework@1.0"
    )
    codes = list(assessment.responses.values_list("indicator__code", flat=True))
    assessment_services.save_responses(
        actor=applicant,
        assessment_id=assessment.pk,
        items=[
            {"indicator": c, "rating": "strong", "justification": f"Plan and budget for {c}."}
            for c in codes
        ],
    )
    review_url = f"/assessments/{assessment.pk}/review/"
    page.on("dialog", lambda dialog: dialog.accept())

    # The applicant signs the pledge and submits.
    sign_in(applicant.username)
    page.goto("/review/pledges/")
    page.get_by_label("Signed by").fill("Oh Young-hun")
    page.get_by_label("Signatory's title").fill("Governor")
    page.get_by_label("Signed on").fill("2025-06-05")
    page.get_by_role("button", name="Record the pledge").click()
    expect(page.get_by_text("The pledge was recorded.")).to_be_visible()
    page.goto(f"/assessments/{assessment.pk}/")
    page.locator("#submit").get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("The assessment was submitted for review.")).to_be_visible()

    # The secretariat starts the review and assigns two reviewers.
    switch_user(page, sign_in, secretary.username)
    page.goto("/review/")
    page.get_by_role("link", name="Jeju").click()
    page.get_by_role("button", name="Start the review").click()
    expect(page.locator("#state")).to_have_text("In review")
    for reviewer in reviewers:
        page.get_by_label("Assign a reviewer from the pool").select_option(str(reviewer.pk))
        page.get_by_role("button", name="Assign", exact=True).click()
        expect(page.get_by_text("The reviewer was assigned and notified.")).to_be_visible()

    # The first reviewer declares, rates, asks a question and returns the assessment.
    switch_user(page, sign_in, reviewers[0].username)
    page.get_by_role("link", name=re.compile("Notices")).click()
    page.get_by_role("button", name=re.compile("You are asked to review")).click()
    expect(page).to_have_url(re.compile(f"{review_url}$"))
    page.get_by_label("I sign this declaration.").check()
    page.get_by_role("button", name="Sign and start the review").click()
    rate_everything(page, "adequate")
    page.locator("#ask").get_by_label("Indicator").select_option(codes[0])
    page.locator("#ask").get_by_label("Question").fill("Which council decision adopted the plan?")
    page.get_by_role("button", name="Add the question").click()
    page.get_by_role("button", name="Return to the applicant with the questions").click()
    expect(page.locator("#state")).to_have_text("Returned")

    # The applicant answers and sends the assessment back.
    switch_user(page, sign_in, applicant.username)
    page.goto(review_url)
    page.get_by_label("Your answer").fill("Council resolution 2024-117 of 3 May 2024.")
    page.get_by_role("button", name="Answer", exact=True).click()
    expect(page.get_by_text("Council resolution 2024-117 of 3 May 2024.")).to_be_visible()
    page.get_by_role("button", name="Send answers to the reviewers").click()
    expect(page.locator("#state")).to_have_text("In review")

    # Both reviewers submit: the first after the answer, the second from scratch.
    switch_user(page, sign_in, reviewers[0].username)
    page.goto(review_url)
    submit_review(page, "Adequate throughout; the plan is adopted.")
    switch_user(page, sign_in, reviewers[1].username)
    page.goto(review_url)
    page.get_by_label("I sign this declaration.").check()
    page.get_by_role("button", name="Sign and start the review").click()
    rate_everything(page, "strong")
    submit_review(page, "Strong evidence for every indicator.")

    # The secretariat compares the ratings and recognises the assessment.
    switch_user(page, sign_in, secretary.username)
    page.goto(review_url)
    page.get_by_role("link", name="Compare the ratings side by side").click()
    expect(page.locator("#disagreements")).to_contain_text(f"{len(codes)} indicators")
    expect(page.locator("tr.disagreement")).to_have_count(len(codes))
    page.goto(review_url)
    decide = page.locator("form#recognise")
    decide.get_by_label("Assurance tier").select_option("reviewed")
    decide.get_by_label("Reasons").fill("Two independent reviews confirm the self-assessment.")
    decide.get_by_role("button", name="Recognise and publish").click()
    expect(page.locator("#state")).to_have_text("Recognised")
    timeline = page.locator("ol.timeline li")
    expect(timeline).to_have_count(5)  # submit, start review, return, resubmit, recognise

    # Anyone sees it in the public registry, with a certificate that verifies.
    recognition = Recognition.objects.get()
    page.context.clear_cookies()
    page.goto("/recognitions/")
    page.get_by_role("link", name="Jeju").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jeju")
    expect(page.get_by_text("Two independent reviews confirm the self-assessment.")).to_be_visible()
    page.goto(f"/recognitions/{recognition.serial}/certificate/")
    expect(page.locator("svg").first).to_be_visible()
    expect(page.get_by_text(recognition.serial).first).to_be_visible()
    downloaded = page.request.get(f"/recognitions/{recognition.serial}/certificate.json")
    statement = verify_certificate(json.loads(downloaded.body()), certificate_public_keys())
    assert statement["subject"]["name"] == "Jeju"
    assert statement["tier"] == "reviewed"
