"""Registering, finding and guarding subjects in a real browser."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from playwright.sync_api import Page, expect
from pyproj import Geod

from tests.factories import OrganisationFactory, SubjectFactory
from weh.registry.models import Subject, SubjectKind, SubjectStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/weh-subject.png"  # noqa: S108 - a fixed place to look at after the run

# Around Hallasan, Jeju: a pentagon of about 160 km².
HALLASAN = {
    "type": "Polygon",
    "coordinates": [
        [
            [126.45, 33.33],
            [126.60, 33.33],
            [126.62, 33.40],
            [126.53, 33.45],
            [126.44, 33.39],
            [126.45, 33.33],
        ]
    ],
}
UNCLOSED = {"type": "Polygon", "coordinates": [HALLASAN["coordinates"][0][:-1]]}
UNCLOSED_MESSAGE = (
    "The ring at coordinates[0] is not closed: its first position (126.45, 33.33) differs from "
    "its last position (126.44, 33.39). Repeat the first position at the end."
)


def geodesic_area_km2(polygon: dict) -> float:  # type: ignore[type-arg]
    lons, lats = zip(*polygon["coordinates"][0], strict=True)
    area_m2, _perimeter = Geod(ellps="WGS84").polygon_area_perimeter(lons, lats)
    return abs(area_m2) / 1e6


def fact(page: Page, term: str):  # type: ignore[no-untyped-def]
    """The <dd> that follows the <dt> with this text in the facts list."""
    return page.locator("dl.facts dt", has_text=re.compile(f"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def geometry_row(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("row", name=re.compile(f"^{re.escape(name)} ")).get_by_role("cell")


def test_applicant_registers_a_protected_area_from_pasted_geojson(  # type: ignore[no-untyped-def]
    page: Page, live_server, sign_in, applicant, organisation
) -> None:
    SubjectFactory(owner=organisation, name="Jeju Olle Trail", status=SubjectStatus.DRAFT)
    SubjectFactory(owner=OrganisationFactory(name="Seogwipo City"), name="Seongsan Ilchulbong")
    sign_in(applicant.username)

    page.get_by_role("button", name="Register a subject").click()
    expect(page).to_have_url(f"{live_server.url}/subjects/new/")
    # The applicant's one organisation is chosen for them.
    expect(page.get_by_label("Owning organisation")).to_have_value(str(organisation.pk))
    page.get_by_label("Kind of subject").select_option("protected_area")
    # Only the fields of the chosen kind are shown.
    expect(page.get_by_role("group", name="Protected or conserved area")).to_be_visible()
    expect(page.get_by_role("group", name="Jurisdiction")).to_be_hidden()
    expect(page.get_by_role("group", name="Nature-based solution intervention")).to_be_hidden()
    page.get_by_role("textbox", name="Name", exact=True).fill("Hallasan National Park")
    page.get_by_label("Name in French").fill("Parc national du Hallasan")
    page.get_by_role("combobox", name="Country", exact=True).select_option("KR")
    page.get_by_label("IUCN management category").select_option("II")
    page.get_by_label("Designation").fill("National Park")
    page.get_by_label("Geometry (GeoJSON)").fill(json.dumps(HALLASAN, indent=2))
    page.get_by_role("button", name="Register subject").click()

    subject = Subject.objects.get(name="Hallasan National Park")
    expect(page).to_have_url(f"{live_server.url}/subjects/{subject.pk}/")
    assert subject.kind == SubjectKind.PROTECTED_AREA
    assert subject.status == SubjectStatus.DRAFT
    assert subject.owner == organisation
    assert subject.created_by == applicant
    assert subject.geometry_kind == "Polygon"
    # The server's equal-area measure agrees with an independent geodesic one.
    assert subject.geometry_area_km2 == pytest.approx(geodesic_area_km2(HALLASAN), rel=1e-3)

    expect(page.locator(".messages")).to_have_text("The subject was registered as a draft.")
    expect(page.locator("h1")).to_have_text("Hallasan National Park")
    expect(page.locator(".subject-summary .status")).to_have_text("Draft")
    expect(page.locator(".subject-summary")).to_contain_text(
        "Protected or conserved area · Korea, Republic of · Jeju Special Self-Governing Province"
    )
    expect(fact(page, "Name (fr)")).to_have_text("Parc national du Hallasan")
    expect(fact(page, "IUCN category")).to_have_text("II — National park")
    expect(fact(page, "Designation")).to_have_text("National Park")
    expect(geometry_row(page, "Type")).to_have_text(["Polygon"])
    area_text = geometry_row(page, "Mapped area").inner_text()
    shown = re.fullmatch(r"(\d+\.\d\d) km²", area_text)
    assert shown, area_text
    assert abs(Decimal(shown.group(1)) - Decimal(str(subject.geometry_area_km2))) <= Decimal(
        "0.005"
    )
    # The owner may act on their draft.
    actions = page.locator(".actions")
    expect(actions.get_by_role("button")).to_have_text(
        ["Assess against a standard", "Edit", "Publish in the registry", "Delete"]
    )

    # Leaflet drew the polygon as one SVG path inside the map.
    map_div = page.locator(".map")
    expect(map_div).to_have_class(re.compile(r"\bleaflet-container\b"))
    path = map_div.locator("path.leaflet-interactive")
    expect(path).to_have_count(1)
    expect(path).to_have_attribute("d", re.compile(r"^M\d"))
    box = path.bounding_box()
    assert box is not None
    assert box["width"] > 50
    assert box["height"] > 50
    map_div.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOT, full_page=True)

    # The draft is in the list for its organisation; the search box narrows it through htmx.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subjects").click()
    expect(page).to_have_url(f"{live_server.url}/subjects/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    page.evaluate("window.wehStillTheSamePage = true")
    with page.expect_response(
        lambda response: (
            "q=hallasan" in response.url and response.request.headers.get("hx-request") == "true"
        )
    ):
        page.get_by_label("Search names").fill("hallasan")
    expect(page.locator("#results > p").first).to_have_text("1 subject")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("cell")).to_have_text(
        [
            "Hallasan National Park",
            "Protected or conserved area",
            "KR",
            "Jeju Special Self-Governing Province",
            "Draft",
        ]
    )
    expect(page).to_have_url(re.compile(r"/subjects/\?q=hallasan"))
    assert page.evaluate("window.wehStillTheSamePage") is True  # no full page load

    rows.first.get_by_role("link", name="Hallasan National Park").click()
    expect(page).to_have_url(f"{live_server.url}/subjects/{subject.pk}/")


def test_form_shows_errors_and_saves_nothing(  # type: ignore[no-untyped-def]
    page: Page, live_server, sign_in, applicant
) -> None:
    sign_in(applicant.username)
    page.goto("/subjects/new/")
    page.get_by_label("Kind of subject").select_option("protected_area")
    page.get_by_role("combobox", name="Country", exact=True).select_option("KR")
    page.get_by_label("Designation").fill("National Park")
    page.get_by_label("Geometry (GeoJSON)").fill(json.dumps(UNCLOSED))
    page.get_by_role("button", name="Register subject").click()

    expect(page).to_have_url(f"{live_server.url}/subjects/new/")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    # Both problems at once: a missing name and a shape the registry would refuse.
    expect(summary.get_by_role("listitem")).to_have_text(
        ["Name: This field is required.", f"Geometry (GeoJSON): {UNCLOSED_MESSAGE}"]
    )
    name = page.get_by_role("textbox", name="Name", exact=True)
    expect(page.locator("#id_name_error")).to_have_text("This field is required.")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_attribute("aria-describedby", "id_name_error")
    geometry = page.get_by_label("Geometry (GeoJSON)")
    expect(page.locator("#id_geometry_error")).to_have_text(UNCLOSED_MESSAGE)
    expect(geometry).to_have_attribute("aria-invalid", "true")
    expect(geometry).to_have_attribute(
        "aria-describedby", re.compile(r"(^| )id_geometry_error( |$)")
    )
    # What was typed is kept, and the fields of the chosen kind are still the ones shown.
    expect(page.get_by_label("Designation")).to_have_value("National Park")
    assert json.loads(geometry.input_value()) == UNCLOSED
    expect(page.get_by_role("group", name="Protected or conserved area")).to_be_visible()
    assert Subject.objects.count() == 0

    # The summary links to the field.
    summary.get_by_role("link", name="Name: This field is required.").click()
    expect(name).to_be_focused()

    # With a name, the shape alone still stops the form.
    name.fill("Hallasan National Park")
    page.get_by_role("button", name="Register subject").click()
    expect(summary.get_by_role("listitem")).to_have_text(
        [f"Geometry (GeoJSON): {UNCLOSED_MESSAGE}"]
    )
    expect(page.locator(".field-error")).to_have_count(1)
    assert Subject.objects.count() == 0

    # Text that is not JSON at all gets its own message.
    page.get_by_label("Geometry (GeoJSON)").fill('{"type": "Polygon",')
    page.get_by_role("button", name="Register subject").click()
    expect(page.locator("#id_geometry_error")).to_have_text(
        re.compile(r"^This is not valid JSON \(Expecting property name enclosed in double quotes")
    )
    assert Subject.objects.count() == 0

    # Closing the ring is all that was missing.
    page.get_by_label("Geometry (GeoJSON)").fill(json.dumps(HALLASAN))
    page.get_by_role("button", name="Register subject").click()
    expect(page.locator("h1")).to_have_text("Hallasan National Park")
    assert Subject.objects.count() == 1


def _forge_post(page: Page, url: str, fields: dict[str, str]) -> dict:  # type: ignore[type-arg]
    """POST from inside the page with its session and CSRF token, as a hand-made form would."""
    return page.evaluate(
        """async ([url, fields]) => {
            const body = new FormData();
            body.append("csrfmiddlewaretoken",
                        document.querySelector("[name=csrfmiddlewaretoken]").value);
            for (const [key, value] of Object.entries(fields)) body.append(key, value);
            const response = await fetch(url, {method: "POST", body});
            return {status: response.status, url: response.url, text: await response.text()};
        }""",
        [url, fields],
    )


def test_other_organisation_cannot_change_a_published_subject(  # type: ignore[no-untyped-def]
    page: Page, live_server, sign_in, organisation, outsider
) -> None:
    subject = SubjectFactory(
        owner=organisation, name="Hallasan National Park", kind=SubjectKind.PROTECTED_AREA
    )
    before = model_to_dict(Subject.objects.get(pk=subject.pk))
    sign_in(outsider.username)

    response = page.goto(f"/subjects/{subject.pk}/edit/")
    assert response is not None
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
    expect(page.locator("main")).to_contain_text(
        "You cannot edit subjects of Jeju Special Self-Governing Province."
    )
    expect(page.locator("form input[name=name]")).to_have_count(0)

    response = page.goto(f"/subjects/{subject.pk}/")
    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Hallasan National Park")
    expect(page.locator(".subject-summary .status")).to_have_text("Published")
    main = page.locator("main")
    expect(main.get_by_role("button", name="Edit")).to_have_count(0)
    expect(main.get_by_role("link", name="Edit")).to_have_count(0)
    for label in ("Publish in the registry", "Withdraw to draft", "Delete"):
        expect(main.get_by_role("button", name=label)).to_have_count(0)

    # Hand-made requests are refused on the server as well.
    own_organisation = outsider.memberships.get().organisation_id
    edit = _forge_post(
        page,
        f"/subjects/{subject.pk}/edit/",
        {"name": "Taken over", "country": "FR", "owner": str(own_organisation)},
    )
    assert edit["status"] == 403
    assert "You cannot edit subjects of Jeju Special Self-Governing Province." in edit["text"]
    for action in ("withdraw", "delete"):
        forged = _forge_post(page, f"/subjects/{subject.pk}/{action}/", {})
        assert forged["status"] == 200
        assert forged["url"] == f"{live_server.url}/subjects/{subject.pk}/"
        assert '<p class="message message-error">Not allowed</p>' in forged["text"]
    page.reload()
    expect(page.locator(".messages")).to_have_count(0)  # consumed by the forged requests
    assert model_to_dict(Subject.objects.get(pk=subject.pk)) == before


def test_other_organisation_cannot_see_a_draft(  # type: ignore[no-untyped-def]
    page: Page, live_server, sign_in, organisation, outsider
) -> None:
    draft = SubjectFactory(owner=organisation, name="Secret Wetland", status=SubjectStatus.DRAFT)
    SubjectFactory(owner=organisation, name="Hallasan National Park")
    sign_in(outsider.username)

    for url in (f"/subjects/{draft.pk}/", f"/subjects/{draft.pk}/edit/"):
        response = page.goto(url)
        assert response is not None
        assert response.status == 404
        expect(page.locator("h1")).to_have_text("Page not found")
        expect(page.locator("main")).not_to_contain_text("Secret Wetland")

    page.goto("/subjects/")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody")).to_contain_text("Hallasan National Park")
    expect(page.locator("#results")).not_to_contain_text("Secret Wetland")
    assert Subject.objects.get(pk=draft.pk).status == SubjectStatus.DRAFT


def test_owner_publishes_withdraws_and_deletes_after_confirming(  # type: ignore[no-untyped-def]
    page: Page, live_server, sign_in, applicant, organisation
) -> None:
    subject = SubjectFactory(owner=organisation, name="Gotjawal Forest", status=SubjectStatus.DRAFT)
    sign_in(applicant.username)
    page.goto(f"/subjects/{subject.pk}/")

    page.get_by_role("button", name="Publish in the registry").click()
    expect(page.locator(".messages")).to_have_text("The subject is now in the public registry.")
    expect(page.locator(".subject-summary .status")).to_have_text("Published")
    assert Subject.objects.get(pk=subject.pk).status == SubjectStatus.PUBLISHED

    page.get_by_role("button", name="Withdraw to draft").click()
    expect(page.locator(".messages")).to_have_text("The subject was withdrawn to draft.")
    expect(page.locator(".subject-summary .status")).to_have_text("Draft")

    # Deleting asks first; saying no keeps the subject.
    dialogs: list[str] = []

    def answer(dialog, accept: bool) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(f"{live_server.url}/subjects/{subject.pk}/")
    assert dialogs == ["Delete this subject? This cannot be undone."]
    page.reload()
    expect(page.locator("h1")).to_have_text("Gotjawal Forest")
    assert Subject.objects.filter(pk=subject.pk).exists()

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(f"{live_server.url}/subjects/")
    expect(page.locator(".messages")).to_have_text("The subject was deleted.")
    expect(page.locator("#results")).to_contain_text("No subject matches these filters.")
    assert not Subject.objects.filter(pk=subject.pk).exists()
