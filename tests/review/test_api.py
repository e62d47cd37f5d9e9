"""The review workflow over REST: every step end to end, blind review, anonymity for the applicant,
and problem documents for every refusal (never a 500)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.factories import MembershipFactory, OrganisationFactory, SubjectFactory, UserFactory
from weh.accounts.models import Role
from weh.accounts.services import create_api_token
from weh.assessments import services as assessment_services
from weh.assessments.workflow import RULES, Action, Actor, State
from weh.review import api as review_api
from weh.review import services
from weh.review.models import (
    AlertState,
    AssignmentState,
    FieldVisit,
    Pledge,
    Recognition,
    ReviewAssignment,
    ReviewRating,
)
from weh.standards.services import load_catalog

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


# ---------------------------------------------------------------------------------------------
# The world: an applicant's jurisdiction, its fully answered assessment, the secretariat, two
# independent reviewers and one who belongs to the owner.


def person(username: str, role: str, organisation: Any) -> Any:
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(db, organisation, secretariat_org):  # type: ignore[no-untyped-def]
    load_catalog()
    applicant = person("amina-applicant", Role.APPLICANT, organisation)
    subject = SubjectFactory(owner=organisation, name="Jeju", country="KR")
    assessment = assessment_services.start_assessment(
        actor=applicant, subject_id=subject.pk, standard="weh-framework@1.0"
    )
    codes = list(
        assessment.responses.order_by("indicator__position").values_list(
            "indicator__code", flat=True
        )
    )
    assessment_services.save_responses(
        actor=applicant,
        assessment_id=assessment.pk,
        items=[
            {"indicator": code, "rating": "strong", "justification": f"Adopted plan for {code}."}
            for code in codes
        ],
    )
    secretary = person("sam-secretariat", Role.SECRETARIAT, secretariat_org)
    ana = person("ana-reviewer", Role.REVIEWER, OrganisationFactory(name="Lisbon University"))
    ben = person("ben-reviewer", Role.REVIEWER, OrganisationFactory(name="Nairobi Institute"))
    cho = person("cho-conflicted", Role.REVIEWER, organisation)
    for reviewer in (ana, ben, cho):
        services.save_reviewer(
            actor=secretary,
            user_id=reviewer.pk,
            standards=["weh-framework"],
            regions=["KR"],
            languages=["en"],
            bio="Urban ecologist.",
        )
    outsider = person("olga-outsider", Role.APPLICANT, OrganisationFactory(name="Other City"))
    _, token = create_api_token(actor=secretary, name="tests")
    return SimpleNamespace(
        organisation=organisation,
        subject=subject,
        assessment=assessment,
        codes=codes,
        applicant=applicant,
        secretary=secretary,
        ana=ana,
        ben=ben,
        cho=cho,
        outsider=outsider,
        # The secretariat calls with a bearer token; everyone else with a session.
        sec=Client(HTTP_AUTHORIZATION=f"Bearer {token}"),
        app=session(applicant),
        a=session(ana),
        b=session(ben),
        c=session(cho),
        out=session(outsider),
    )


def call(client: Client, method: str, path: str, body: Any = None) -> Any:
    return getattr(client, method)(
        "/api/v1" + path,
        data=json.dumps(body if body is not None else {}),
        content_type="application/json",
    )


def post(client: Client, path: str, body: Any = None) -> Any:
    return call(client, "post", path, body)


def put(client: Client, path: str, body: Any) -> Any:
    return call(client, "put", path, body)


def get(client: Client, path: str) -> Any:
    return client.get("/api/v1" + path)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["instance"] == response.wsgi_request.path
    return body


def errors(body: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in body.get("errors") or []:
        found.setdefault(error["field"], []).append(error["message"])
    return found


def rate_all(client: Client, assignment_id: int, codes: list[str], rating: str) -> Any:
    items = [{"indicator": c, "rating": rating, "comment": f"Checked {c}."} for c in codes]
    return put(client, f"/assignments/{assignment_id}/ratings", items)


def submit_review(client: Client, assignment_id: int, tier: str = "reviewed") -> Any:
    return post(
        client,
        f"/assignments/{assignment_id}/submit",
        {"recommendation": "recognise", "tier": tier, "summary": "Evidence holds up."},
    )


def in_review(w: Any) -> tuple[int, int]:
    """Drive the world's assessment, through the services, to in review with two reviewers who
    signed their declarations; return their assignment ids."""
    pk = w.assessment.pk
    services.submit_assessment(actor=w.applicant, assessment_id=pk)
    services.start_review(actor=w.secretary, assessment_id=pk)
    ids = []
    for reviewer in (w.ana, w.ben):
        assignment = services.assign_reviewer(
            actor=w.secretary, assessment_id=pk, reviewer_id=reviewer.pk
        )
        services.declare_no_conflict(actor=reviewer, assignment_id=assignment.pk, confirm=True)
        ids.append(assignment.pk)
    return ids[0], ids[1]


def reviewed(w: Any) -> tuple[int, int]:
    """In review, both reviews submitted."""
    first, second = in_review(w)
    for client, assignment_id in ((w.a, first), (w.b, second)):
        ok(rate_all(client, assignment_id, w.codes, "strong"))
        ok(submit_review(client, assignment_id))
    return first, second


def pledge(w: Any) -> None:
    services.record_pledge(
        actor=w.applicant,
        organisation_id=w.organisation.pk,
        signatory_name="Oh Young-hun",
        signatory_title="Governor",
        signed_on=date(2025, 1, 15),
    )


# ---------------------------------------------------------------------------------------------
# End to end.


def test_the_whole_workflow_through_the_api(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    pk = w.assessment.pk
    base = f"/assessments/{pk}"

    # Submit (the assessments router) and start the review.
    assert ok(post(w.app, f"{base}/submit"))["status"] == "submitted"
    moved = ok(post(w.sec, f"{base}/start-review"))
    assert moved["state"] == "in_review"
    assert moved["state_label"] == "In review"
    assert moved["transition"]["action"] == "start_review"
    assert moved["transition"]["from_state"] == "submitted"
    assert moved["transition"]["actor"] == "sam-secretariat"
    assert moved["transition"]["actor_role"] == "secretariat"
    assert moved["allowed_actions"] == ["withdraw", "return", "recognise", "decline"]

    # The pool, ranked for this assessment, flags the conflicted reviewer last.
    pool = ok(get(w.sec, f"{base}/pool?language=en"))
    assert [m["reviewer"]["username"] for m in pool][-1] == "cho-conflicted"
    assert pool[-1]["conflicts"] == [
        {"organisation": w.organisation.name, "why": "owns the assessment"}
    ]
    assert pool[0]["matches"] == 3

    # The conflicted reviewer is refused, with the conflicts as a member of the problem.
    body = problem(post(w.sec, f"{base}/assignments", {"reviewer_id": w.cho.pk}), 409)
    assert body["type"] == "urn:weh:problem:conflict"
    assert body["conflicts"] == [
        {"organisation": w.organisation.name, "why": "owns the assessment"}
    ]
    assert not ReviewAssignment.objects.filter(reviewer=w.cho).exists()

    first = ok(post(w.sec, f"{base}/assignments", {"reviewer_id": w.ana.pk}), 201)
    second = ok(post(w.sec, f"{base}/assignments", {"reviewer_id": w.ben.pk}), 201)
    assert (first["state"], first["reviewer"]) == ("assigned", "ana-reviewer")
    a_id, b_id = first["id"], second["id"]
    problem(post(w.sec, f"{base}/assignments", {"reviewer_id": w.ana.pk}), 409)  # already on it

    # Declarations: none, no rating.
    body = problem(rate_all(w.a, a_id, w.codes, "adequate"), 409)
    assert "after the declaration" in body["detail"]
    assert "confirm" in errors(
        problem(post(w.a, f"/assignments/{a_id}/declaration", {"confirm": False}), 422)
    )
    declared = ok(post(w.a, f"/assignments/{a_id}/declaration", {"confirm": True}))
    assert declared["state"] == "accepted"
    assert len(declared["declaration_sha256"]) == 64
    assert "no conflict of interest" in declared["declaration"]
    ok(post(w.b, f"/assignments/{b_id}/declaration", {"confirm": True}))
    # A reviewer acts only on their own assignment (someone else's is not found).
    problem(post(w.a, f"/assignments/{b_id}/declaration", {"confirm": True}), 404)

    # Blind review: each rates on their own and sees only their own ratings.
    own = ok(rate_all(w.a, a_id, w.codes, "adequate"))
    assert own["reviewer"] == "ana-reviewer"
    assert {r["rating"] for r in own["ratings"]} == {"adequate"}
    ok(rate_all(w.b, b_id, w.codes, "strong"))
    seen_by_a = ok(get(w.a, f"{base}/reviews"))
    assert [(r["reviewer"], r["state"]) for r in seen_by_a] == [("ana-reviewer", "accepted")]
    assert "strong" not in {r["rating"] for r in seen_by_a[0]["ratings"]}
    reconciled = ok(get(w.a, f"{base}/reconciliation"))
    assert reconciled["reviewers"] == ["ana-reviewer"]
    assert reconciled["rows"][0]["applicant"] == "strong"
    assert reconciled["rows"][0]["reviewers"] == ["adequate"]
    assert reconciled["rows"][0]["disagreement"] is True
    assert [r["reviewer"] for r in ok(get(w.b, f"{base}/reviews"))] == ["ben-reviewer"]
    assert ok(get(w.sec, f"{base}/reviews")) == []  # nothing submitted yet

    # A submits; B's unsubmitted ratings stay hidden from A.
    submitted = ok(submit_review(w.a, a_id))
    assert (submitted["state"], submitted["recommended_tier"]) == ("submitted", "reviewed")
    assert [r["reviewer"] for r in ok(get(w.a, f"{base}/reviews"))] == ["ana-reviewer"]
    assert [r["reviewer"] for r in ok(get(w.sec, f"{base}/reviews"))] == ["ana-reviewer"]
    problem(rate_all(w.a, a_id, w.codes, "strong"), 409)  # a submitted review is final

    # B asks about W1.1 and returns the assessment to the applicant.
    problem(post(w.b, f"{base}/return", {"reason": "A question first."}), 422)  # none asked
    thread = ok(
        post(w.b, f"{base}/clarifications/ask", {"indicator": "W1.1", "body": "Which resolution?"}),
        201,
    )
    assert (thread["indicator"], thread["state"]) == ("W1.1", "open")
    assert thread["messages"][0]["author"] == "ben-reviewer"
    moved = ok(post(w.b, f"{base}/return", {"reason": "Please answer the question on W1.1."}))
    assert moved["state"] == "returned"
    assert moved["transition"]["actor_role"] == "reviewer"
    assert moved["allowed_actions"] == []  # a reviewer neither withdraws nor resubmits

    # The applicant sees the question, with the reviewer anonymised, answers and resubmits.
    threads = ok(get(w.app, f"{base}/clarifications"))
    assert threads[0]["messages"][0]["author"] == "Reviewer 2"
    problem(post(w.app, f"{base}/resubmit"), 422)  # the question is still open
    answered = ok(
        post(w.app, f"{base}/clarifications/answer", {"indicator": "W1.1", "body": "No. 2024-17."}),
        201,
    )
    assert [m["author_role"] for m in answered["messages"]] == ["reviewer", "applicant"]
    assert answered["state"] == "answered"
    moved = ok(post(w.app, f"{base}/resubmit"))
    assert moved["state"] == "in_review"
    assert moved["allowed_actions"] == ["withdraw"]

    # B submits too: now each reviewer sees both reviews.
    ok(submit_review(w.b, b_id))
    for client in (w.a, w.b):
        both = ok(get(client, f"{base}/reviews"))
        assert [r["reviewer"] for r in both] == ["ana-reviewer", "ben-reviewer"]
        assert [r["ratings"][0]["rating"] for r in both] == ["adequate", "strong"]
    assert ok(get(w.a, f"{base}/reconciliation"))["rows"][0]["reviewers"] == ["adequate", "strong"]

    # Before the decision the applicant reads no review.
    assert ok(get(w.app, f"{base}/reviews")) == []

    # Readiness: every tier lacks the pledge; the applicant may not ask.
    problem(get(w.app, f"{base}/readiness"), 403)
    ready = ok(get(w.sec, f"{base}/readiness"))
    assert ready["completed_reviews"] == 2
    assert ready["open_questions"] == 0
    assert ready["open_conflicts"] == []
    assert ready["level"] == "gold"
    tiers = {t["code"]: t for t in ready["tiers"]}
    assert list(tiers) == ["committed", "self_assessed", "reviewed", "certified"]
    assert not tiers["reviewed"]["ready"]
    assert any("pledge" in text for text in tiers["reviewed"]["lacking"])
    assert len(tiers["certified"]["lacking"]) == 3  # pledge, field visit, committee

    # Recognising without the pledge: 422 on the tier; a reviewer may not recognise at all.
    decision = {"tier": "reviewed", "reasons": "Two concurring reviews.", "committee": ""}
    body = problem(post(w.sec, f"{base}/recognise", decision), 422)
    assert "pledge" in errors(body)["tier"][0]
    body = problem(post(w.a, f"{base}/recognise", decision), 403)
    assert body["allowed_actors"] == ["secretariat"]
    assert "secretariat" in body["detail"]

    # The pledge, then the recognition.
    signed = ok(
        post(
            w.app,
            "/pledges",
            {
                "organisation_id": w.organisation.pk,
                "signatory_name": "Oh Young-hun",
                "signatory_title": "Governor",
                "signed_on": "2025-01-15",
            },
        ),
        201,
    )
    assert signed["organisation"] == w.organisation.name
    listed = ok(get(w.out, f"/organisations/{w.organisation.pk}/pledges"))
    assert [p["signatory_title"] for p in listed] == ["Governor"]
    assert {t["code"]: t["ready"] for t in ok(get(w.sec, f"{base}/readiness"))["tiers"]} == {
        "committed": True,
        "self_assessed": True,
        "reviewed": True,
        "certified": False,
    }
    moved = ok(post(w.sec, f"{base}/recognise", decision))
    assert moved["state"] == "recognised"
    assert moved["transition"]["reason"] == "Two concurring reviews."
    assert moved["allowed_actions"] == ["suspend"]
    serial = moved["recognition"]["serial"]
    recognition = Recognition.objects.get(serial=serial)
    assert (recognition.assessment_id, recognition.tier, recognition.level) == (
        pk,
        "reviewed",
        "gold",
    )
    assert recognition.status == "active"
    assert recognition.certificate
    assert moved["recognition"]["certificate"] == recognition.certificate
    assert moved["recognition"]["valid_until"] == recognition.valid_until.isoformat()

    # After the decision the applicant reads the reviews, reviewers anonymised everywhere.
    seen = ok(get(w.app, f"{base}/reviews"))
    assert [(r["reviewer"], r["assignment_id"]) for r in seen] == [
        ("Reviewer 1", None),
        ("Reviewer 2", None),
    ]
    assert ok(get(w.app, f"{base}/reconciliation"))["reviewers"] == ["Reviewer 1", "Reviewer 2"]
    for path in ("reviews", "reconciliation", "timeline", "clarifications"):
        text = get(w.app, f"{base}/{path}").content.decode()
        assert "ana-reviewer" not in text, path
        assert "ben-reviewer" not in text, path

    # Suspension needs a substantiated alert.
    body = problem(post(w.sec, f"/recognitions/{serial}/suspend", {"reasons": "Complaint."}), 422)
    assert "alerts" in errors(body)
    alert = services.file_alert(
        actor=AnonymousUser(), serial=serial, body="The wetland was drained last spring."
    )
    problem(get(w.app, "/alerts"), 403)
    alerts = ok(get(w.sec, "/alerts?state=open"))
    assert [(a["id"], a["recognition"]) for a in alerts["results"]] == [(alert.pk, serial)]
    triaged = ok(
        post(w.sec, f"/alerts/{alert.pk}/triage", {"state": "substantiated", "note": "Verified."})
    )
    assert (triaged["state"], triaged["triaged_by"]) == ("substantiated", "sam-secretariat")
    moved = ok(post(w.sec, f"/recognitions/{serial}/suspend", {"reasons": "Wetland drained."}))
    assert (moved["state"], moved["recognition"]["status"]) == ("suspended", "suspended")
    assert moved["allowed_actions"] == ["reinstate"]
    moved = ok(post(w.sec, f"/recognitions/{serial}/reinstate", {"reasons": "Restored."}))
    assert (moved["state"], moved["recognition"]["status"]) == ("recognised", "active")

    # Expiry, by the scheduled task.
    recognition.refresh_from_db()
    assert services.expire_recognitions(today=recognition.valid_until + timedelta(days=1)) == [
        serial
    ]
    recognition.refresh_from_db()
    assert recognition.status == "expired"

    steps = ok(get(w.sec, f"{base}/timeline"))
    assert [(s["action"], s["from_state"], s["to_state"], s["actor_role"]) for s in steps] == [
        ("submit", "draft", "submitted", "applicant"),
        ("start_review", "submitted", "in_review", "secretariat"),
        ("return", "in_review", "returned", "reviewer"),
        ("resubmit", "returned", "in_review", "applicant"),
        ("recognise", "in_review", "recognised", "secretariat"),
        ("suspend", "recognised", "suspended", "secretariat"),
        ("reinstate", "suspended", "recognised", "secretariat"),
        ("expire", "recognised", "expired", "system"),
    ]
    assert [s["actor"] for s in steps] == [
        "amina-applicant",
        "sam-secretariat",
        "ben-reviewer",
        "amina-applicant",
        "sam-secretariat",
        "sam-secretariat",
        "sam-secretariat",
        None,
    ]
    assert [s["at"] for s in steps] == sorted(s["at"] for s in steps)
    # The applicant's timeline names the reviewer who returned it only by number.
    assert ok(get(w.app, f"{base}/timeline"))[2]["actor"] == "Reviewer 2"


# ---------------------------------------------------------------------------------------------
# Refusals as problem documents.


def test_illegal_transition_names_the_state_and_what_is_possible(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    pk = w.assessment.pk
    services.submit_assessment(actor=w.applicant, assessment_id=pk)
    body = problem(
        post(w.sec, f"/assessments/{pk}/recognise", {"tier": "reviewed", "reasons": "Fine."}), 409
    )
    assert body["type"] == "urn:weh:problem:conflict"
    assert body["title"] == "Conflict with the current state"
    assert body["current_state"] == "submitted"
    assert body["action"] == "recognise"
    assert body["allowed_from"] == ["in_review"]
    assert body["allowed_actions"] == ["withdraw", "start_review"]
    assert "Submitted" in body["detail"]
    assert "In review" in body["detail"]
    assert "withdraw, start the review" in body["detail"]

    # For the applicant, what is possible is what the applicant may do.
    body = problem(post(w.app, f"/assessments/{pk}/resubmit"), 409)
    assert (body["current_state"], body["allowed_from"]) == ("submitted", ["returned"])
    assert body["allowed_actions"] == ["withdraw"]
    assert Recognition.objects.count() == 0


def test_withdraw_and_decline(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    pk = w.assessment.pk
    services.submit_assessment(actor=w.applicant, assessment_id=pk)
    problem(post(w.a, f"/assessments/{pk}/withdraw", {"reason": "Not mine."}), 404)
    moved = ok(post(w.app, f"/assessments/{pk}/withdraw", {"reason": "Data under revision."}))
    assert (moved["state"], moved["transition"]["reason"]) == ("withdrawn", "Data under revision.")
    assert moved["allowed_actions"] == []
    body = problem(post(w.sec, f"/assessments/{pk}/start-review"), 409)
    assert (body["current_state"], body["allowed_actions"]) == ("withdrawn", [])


def test_a_reviewer_cannot_recognise_or_start_the_review(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    reviewed(w)
    pledge(w)
    pk = w.assessment.pk
    body = problem(
        post(w.a, f"/assessments/{pk}/recognise", {"tier": "reviewed", "reasons": "x"}), 403
    )
    assert body["type"] == "urn:weh:problem:forbidden"
    assert body["allowed_actors"] == ["secretariat"]
    body = problem(post(w.a, f"/assessments/{pk}/decline", {"reasons": "x"}), 403)
    assert body["allowed_actors"] == ["secretariat"]
    assert Recognition.objects.count() == 0
    problem(get(w.a, f"/assessments/{pk}/readiness"), 403)


def test_outsiders_get_not_found_and_bad_input_never_a_500(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    first, _second = in_review(w)
    pk = w.assessment.pk
    for path in ("timeline", "reviews", "reconciliation", "readiness", "clarifications", "pool"):
        assert problem(get(w.out, f"/assessments/{pk}/{path}"), 404)["type"] == (
            "urn:weh:problem:not-found"
        )
    for path, payload in (
        ("withdraw", {"reason": "x"}),
        ("start-review", None),
        ("return", {"reason": "x"}),
        ("resubmit", None),
        ("recognise", {"tier": "reviewed", "reasons": "x"}),
        ("decline", {"reasons": "x"}),
        ("clarifications/ask", {"indicator": "W1.1", "body": "x"}),
        ("clarifications/answer", {"indicator": "W1.1", "body": "x"}),
    ):
        problem(post(w.out, f"/assessments/{pk}/{path}", payload), 404)
    problem(put(w.out, f"/assignments/{first}/ratings", [{"indicator": "W1.1"}]), 404)
    problem(post(w.out, f"/assignments/{first}/declaration", {"confirm": True}), 404)
    # Unknown ids.
    problem(post(w.sec, "/assessments/999999/start-review"), 404)
    problem(post(w.sec, "/recognitions/WEH-NOSUCHONE/suspend", {"reasons": "x"}), 404)
    problem(post(w.sec, "/recognitions/WEH-NOSUCHONE/renew"), 404)
    problem(post(w.sec, "/alerts/999999/triage", {"state": "closed", "note": "x"}), 404)
    problem(delete(w.sec, "/assignments/999999"), 404)
    problem(get(w.sec, "/reviewers/999999"), 404)
    problem(put(w.sec, "/reviewers/999999", {}), 404)
    problem(get(w.sec, "/organisations/999999/pledges"), 404)
    # Wrong types and shapes.
    assert "assessment_id" in errors(problem(post(w.sec, "/assessments/abc/start-review"), 422))
    assert "reviewer_id" in errors(
        problem(post(w.sec, f"/assessments/{pk}/assignments", {"reviewer_id": "ana"}), 422)
    )
    problem(post(w.sec, f"/assessments/{pk}/assignments", {}), 422)
    problem(put(w.a, f"/assignments/{first}/ratings", {"indicator": "W1.1"}), 422)
    problem(put(w.a, f"/assignments/{first}/ratings", []), 422)
    problem(put(w.a, f"/assignments/{first}/ratings", [{"indicator": "W1.1", "rating": 3}]), 422)
    problem(post(w.sec, "/alerts/1/triage", {"state": "burnt", "note": "x"}), 422)
    problem(post(w.app, "/pledges", {"organisation_id": w.organisation.pk}), 422)
    body = problem(
        post(
            w.app,
            "/pledges",
            {
                "organisation_id": w.organisation.pk,
                "signatory_name": "",
                "signatory_title": "Mayor",
                "signed_on": "not a date",
            },
        ),
        422,
    )
    assert "signed_on" in errors(body)
    body = problem(
        post(
            w.app,
            "/pledges",
            {
                "organisation_id": w.organisation.pk,
                "signatory_name": " ",
                "signatory_title": "Mayor",
                "signed_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
            },
        ),
        422,
    )
    assert set(errors(body)) == {"signatory_name", "signed_on"}
    problem(post(w.sec, f"/assessments/{pk}/recognise", {"tier": "platinum", "reasons": "x"}), 422)
    problem(post(w.sec, f"/assessments/{pk}/assignments", {"reviewer_id": 999999}), 422)
    assert Pledge.objects.count() == 0
    # Malformed JSON.
    response = w.sec.post(
        f"/api/v1/assessments/{pk}/decline", data="{not json", content_type="application/json"
    )
    assert problem(response, 400)["type"] == "urn:weh:problem:malformed"


def delete(client: Client, path: str) -> Any:
    return client.delete("/api/v1" + path)


def test_ratings_are_all_or_nothing_with_errors_by_indicator(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    first, _second = in_review(w)
    body = problem(
        put(
            w.a,
            f"/assignments/{first}/ratings",
            [
                {"indicator": "W1.1", "rating": "strong", "comment": "Fine."},
                {"indicator": "W1.2", "rating": "stellar"},
                {"indicator": "W9.9", "rating": "strong"},
            ],
        ),
        422,
    )
    found = errors(body)
    assert set(found) == {"W1.2", "W9.9"}
    assert "Choose one of: insufficient, partial, adequate, strong." in found["W1.2"][0]
    assert found["W9.9"] == ["Not an indicator of this standard."]
    assert not ReviewRating.objects.exists()

    saved = ok(
        put(
            w.a,
            f"/assignments/{first}/ratings",
            [
                {"indicator": "W1.1", "rating": "strong", "comment": "Fine."},
                {"indicator": "W1.2", "not_applicable": True},
            ],
        )
    )
    assert [(r["indicator"], r["rating"], r["not_applicable"]) for r in saved["ratings"]] == [
        ("W1.1", "strong", False),
        ("W1.2", "", True),
    ]
    # Submitting before every indicator is rated lists what is missing.
    body = problem(submit_review(w.a, first), 422)
    assert "W1.3" in errors(body)["ratings"][0]
    body = problem(
        post(w.a, f"/assignments/{first}/submit", {"recommendation": "maybe", "summary": ""}), 422
    )
    assert {"recommendation", "summary"} <= set(errors(body))


def test_applicant_sees_anonymised_reviews_only_after_the_decision(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    reviewed(w)
    pk = w.assessment.pk
    assert ok(get(w.app, f"/assessments/{pk}/reviews")) == []
    assert ok(get(w.app, f"/assessments/{pk}/reconciliation"))["reviewers"] == []
    problem(post(w.sec, f"/assessments/{pk}/decline", {"reasons": "  "}), 422)
    moved = ok(post(w.sec, f"/assessments/{pk}/decline", {"reasons": "Evidence too thin."}))
    assert moved["state"] == "declined"
    assert moved["decision"]["outcome"] == "declined"
    assert moved["decision"]["reasons"] == "Evidence too thin."
    seen = ok(get(w.app, f"/assessments/{pk}/reviews"))
    assert [r["reviewer"] for r in seen] == ["Reviewer 1", "Reviewer 2"]
    assert all(r["assignment_id"] is None for r in seen)
    assert len(seen[0]["ratings"]) == len(w.codes)
    # The secretariat still sees who reviewed.
    assert [r["reviewer"] for r in ok(get(w.sec, f"/assessments/{pk}/reviews"))] == [
        "ana-reviewer",
        "ben-reviewer",
    ]


def test_removing_and_recusing_reviewers(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    first, second = in_review(w)
    pk = w.assessment.pk
    problem(delete(w.a, f"/assignments/{second}"), 403)
    removed = ok(delete(w.sec, f"/assignments/{second}"))
    assert removed["state"] == "removed"
    problem(post(w.sec, f"/assignments/{second}/remove"), 409)
    # Removed, the reviewer no longer sees the assessment.
    problem(get(w.b, f"/assessments/{pk}/reviews"), 404)
    # Re-assigned, then stepping down with a conflict.
    again = ok(post(w.sec, f"/assessments/{pk}/assignments", {"reviewer_id": w.ben.pk}), 201)
    assert again["id"] == second
    assert "note" in errors(
        problem(post(w.b, f"/assignments/{second}/conflict", {"note": ""}), 422)
    )
    recused = ok(post(w.b, f"/assignments/{second}/conflict", {"note": "My sister runs it."}))
    assert (recused["state"], recused["conflict_note"]) == ("recused", "My sister runs it.")
    assert ReviewAssignment.objects.get(pk=first).state == AssignmentState.ACCEPTED
    removed = ok(post(w.sec, f"/assignments/{first}/remove"))
    assert removed["state"] == "removed"


def test_field_visit_multipart(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    first, _second = in_review(w)
    url = f"/api/v1/assignments/{first}/field-visits"
    response = w.a.post(
        url,
        {
            "visited_on": "2025-03-02",
            "place": "Hallasan wetland",
            "findings": "Restoration works match the plan.",
            "file": SimpleUploadedFile("report.pdf", PDF, "application/pdf"),
        },
    )
    visit = ok(response, 201)
    assert (visit["place"], visit["original_name"], visit["size"]) == (
        "Hallasan wetland",
        "report.pdf",
        len(PDF),
    )
    assert len(visit["sha256"]) == 64
    without = ok(
        w.a.post(url, {"visited_on": "2025-03-03", "place": "Town hall", "findings": "Minutes."}),
        201,
    )
    assert without["original_name"] == ""
    future = (timezone.localdate() + timedelta(days=10)).isoformat()
    body = problem(w.a.post(url, {"visited_on": future, "place": " ", "findings": "x"}), 422)
    assert set(errors(body)) == {"visited_on", "place"}
    assert "visited_on" in errors(
        problem(w.a.post(url, {"visited_on": "yesterday", "place": "x", "findings": "x"}), 422)
    )
    problem(w.a.post(url, {"place": "x", "findings": "x"}), 422)
    body = problem(
        w.a.post(
            url,
            {
                "visited_on": "2025-03-02",
                "place": "x",
                "findings": "x",
                "file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00"),
            },
        ),
        422,
    )
    assert "file" in errors(body)
    # Someone else's assignment.
    problem(
        w.b.post(url, {"visited_on": "2025-03-02", "place": "x", "findings": "x"}),
        404,
    )
    assert FieldVisit.objects.count() == 2


def test_reviewer_pool(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    body = problem(get(w.a, "/reviewers"), 403)
    assert body["type"] == "urn:weh:problem:forbidden"
    assert problem(Client().get("/api/v1/reviewers"), 401)["type"] == (
        "urn:weh:problem:not-authenticated"
    )
    pool = ok(get(w.sec, "/reviewers"))
    assert pool["count"] == 3
    assert [r["username"] for r in pool["results"]] == [
        "ana-reviewer",
        "ben-reviewer",
        "cho-conflicted",
    ]
    # Oneself: expertise changes, the pool membership does not.
    mine = ok(
        put(
            w.a,
            f"/reviewers/{w.ana.pk}",
            {
                "standards": ["iucn-nbs"],
                "regions": ["pt", "KR"],
                "languages": ["PT"],
                "active": False,
            },
        )
    )
    assert (mine["standards"], mine["regions"], mine["languages"], mine["active"]) == (
        ["iucn-nbs"],
        ["KR", "PT"],
        ["pt"],
        True,
    )
    assert ok(get(w.a, f"/reviewers/{w.ana.pk}"))["username"] == "ana-reviewer"
    problem(get(w.a, f"/reviewers/{w.ben.pk}"), 404)
    problem(put(w.a, f"/reviewers/{w.ben.pk}", {"bio": "Hijacked."}), 403)
    body = problem(put(w.sec, f"/reviewers/{w.ben.pk}", {"regions": ["ZZ"]}), 422)
    assert "ZZ" in errors(body)["regions"][0]
    # The secretariat adds someone to the pool and takes someone out.
    added = ok(put(w.sec, f"/reviewers/{w.outsider.pk}", {"regions": ["FR"]}))
    assert (added["username"], added["active"]) == ("olga-outsider", True)
    assert ok(put(w.sec, f"/reviewers/{w.ben.pk}", {"active": False}))["active"] is False
    assert ok(get(w.sec, "/reviewers?limit=2"))["next"] is not None
    problem(get(w.sec, "/reviewers?limit=0"), 422)
    # Out of the pool: cannot be assigned.
    services.submit_assessment(actor=w.applicant, assessment_id=w.assessment.pk)
    body = problem(
        post(w.sec, f"/assessments/{w.assessment.pk}/assignments", {"reviewer_id": w.ben.pk}), 422
    )
    assert "reviewer" in errors(body)
    problem(get(w.app, f"/assessments/{w.assessment.pk}/pool"), 403)


def test_queue(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    first, _second = in_review(w)
    mine = ok(get(w.a, "/review/queue"))
    assert mine["queue"] is None
    assert [(a["assignment_id"], a["assessment_id"], a["state"]) for a in mine["assignments"]] == [
        (first, w.assessment.pk, "accepted")
    ]
    assert mine["assignments"][0]["assessment_state"] == "in_review"
    theirs = ok(get(w.sec, "/review/queue"))
    assert theirs["assignments"] == []
    assert [
        (q["assessment_id"], q["state"], q["reviewers"], q["reviews_done"]) for q in theirs["queue"]
    ] == [(w.assessment.pk, "in_review", 2, 0)]
    problem(Client().get("/api/v1/review/queue"), 401)


def test_renewal_starts_a_new_draft(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    reviewed(w)
    pledge(w)
    recognition = services.recognise_assessment(
        actor=w.secretary, assessment_id=w.assessment.pk, tier="reviewed", reasons="Good."
    )
    problem(post(w.out, f"/recognitions/{recognition.serial}/renew"), 404)
    renewal = ok(post(w.app, f"/recognitions/{recognition.serial}/renew"), 201)
    assert renewal["assessment_id"] != w.assessment.pk
    assert (renewal["state"], renewal["transition"], renewal["renews"]) == (
        "draft",
        None,
        recognition.serial,
    )
    assert renewal["allowed_actions"] == ["submit", "withdraw"]
    recognition.refresh_from_db()
    assert recognition.renewal_id == renewal["assessment_id"]
    problem(post(w.app, f"/recognitions/{recognition.serial}/renew"), 409)
    # The renewal is pre-filled: it can be submitted straight away.
    assert ok(post(w.app, f"/assessments/{renewal['assessment_id']}/submit"))["status"] == (
        "submitted"
    )


def test_alert_triage_is_for_the_secretariat(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    reviewed(w)
    pledge(w)
    recognition = services.recognise_assessment(
        actor=w.secretary, assessment_id=w.assessment.pk, tier="reviewed", reasons="Good."
    )
    alert = services.file_alert(
        actor=w.outsider, serial=recognition.serial, body="Illegal logging seen in the park."
    )
    problem(post(w.app, f"/alerts/{alert.pk}/triage", {"state": "dismissed", "note": "x"}), 403)
    body = problem(post(w.sec, f"/alerts/{alert.pk}/triage", {"state": "open", "note": ""}), 422)
    assert set(errors(body)) == {"state", "note"}
    done = ok(
        post(w.sec, f"/alerts/{alert.pk}/triage", {"state": "dismissed", "note": "Old news."})
    )
    assert done["state"] == AlertState.DISMISSED
    assert ok(get(w.sec, "/alerts?state=open"))["count"] == 0
    assert ok(get(w.sec, "/alerts"))["count"] == 1
    # A dismissed alert does not substantiate a suspension.
    body = problem(
        post(w.sec, f"/recognitions/{recognition.serial}/suspend", {"reasons": "x"}), 422
    )
    assert "alerts" in errors(body)
    # Reinstating what is not suspended is a conflict, naming the state.
    body = problem(
        post(w.sec, f"/recognitions/{recognition.serial}/reinstate", {"reasons": "x"}), 409
    )
    assert (body["current_state"], body["allowed_from"]) == ("recognised", ["suspended"])


def test_session_writes_need_the_csrf_token(world) -> None:  # type: ignore[no-untyped-def]
    w = world
    services.submit_assessment(actor=w.applicant, assessment_id=w.assessment.pk)
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.applicant)
    url = f"/api/v1/assessments/{w.assessment.pk}/withdraw"
    body = problem(client.post(url, {"reason": "x"}, content_type="application/json"), 403)
    assert "CSRF" in body["detail"]
    token = "k" * 32
    client.cookies["csrftoken"] = token
    response = client.post(
        url, {"reason": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert ok(response)["state"] == "withdrawn"


# ---------------------------------------------------------------------------------------------
# The table, served and documented.


def test_workflow_endpoint_is_the_table(world) -> None:  # type: ignore[no-untyped-def]
    table = ok(Client().get("/api/v1/workflow"))
    assert [s["code"] for s in table["states"]] == [s.value for s in State]
    states = {s["code"]: s for s in table["states"]}
    assert [code for code, s in states.items() if s["editable"]] == ["draft", "returned"]
    assert [code for code, s in states.items() if s["final"]] == [
        "declined",
        "withdrawn",
        "expired",
    ]
    assert states["recognised"]["recognition_stands"]
    assert [a["action"] for a in table["actions"]] == [a.value for a in RULES]
    for row in table["actions"]:
        rule = RULES[Action(row["action"])]
        assert set(row["sources"]) == {s.value for s in rule.sources}
        assert row["target"] == rule.target.value
        assert set(row["actors"]) == {a.value for a in rule.actors}
        assert row["guards"] == [g.value for g in rule.guards]
        assert row["effects"] == [e.value for e in rule.effects]
    assert {row["action"]: row["actors"] for row in table["actions"]}["expire"] == [
        Actor.SYSTEM.value
    ]
    assert set(table["guards"]) == {g.value for rule in RULES.values() for g in rule.guards}


def test_openapi_describes_states_and_transitions(world) -> None:  # type: ignore[no-untyped-def]
    document = ok(Client().get("/api/v1/openapi.json"))
    schemas = document["components"]["schemas"]
    assert schemas["State"]["enum"] == [s.value for s in State]
    assert schemas["Action"]["enum"] == [a.value for a in Action]
    assert schemas["TransitionOut"]["properties"]["state"] == {"$ref": "#/components/schemas/State"}
    paths = document["paths"]
    operations = {
        Action.WITHDRAW: "/api/v1/assessments/{assessment_id}/withdraw",
        Action.START_REVIEW: "/api/v1/assessments/{assessment_id}/start-review",
        Action.RETURN: "/api/v1/assessments/{assessment_id}/return",
        Action.RESUBMIT: "/api/v1/assessments/{assessment_id}/resubmit",
        Action.RECOGNISE: "/api/v1/assessments/{assessment_id}/recognise",
        Action.DECLINE: "/api/v1/assessments/{assessment_id}/decline",
        Action.SUSPEND: "/api/v1/recognitions/{serial}/suspend",
        Action.REINSTATE: "/api/v1/recognitions/{serial}/reinstate",
    }
    for action, path in operations.items():
        operation = paths[path]["post"]
        assert operation["description"] == review_api.transition_description(action)
        assert f"**{action.value}**" in operation["description"]
        for rule in RULES.values():
            # Every row of the table, e.g. "| `recognise` | `in_review` | `recognised` |".
            assert f"| `{rule.action.value}` |" in operation["description"]
        assert {"200", "403", "404", "409", "422"} <= set(operation["responses"])
    recognise = paths[operations[Action.RECOGNISE]]["post"]["description"]
    assert "`tier_requirements_met`" in recognise
    assert "`current_state`" in recognise
    assert "`allowed_actions`" in recognise
    assert "| `expire` | `recognised`, `suspended` | `expired` | `system` |" in recognise
    assert "/api/v1/workflow" in paths
