"""Server-rendered pages: what a person sees, and what they may not see."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client

from tests.factories import SQUARE, SubjectFactory
from weh.registry.models import Subject, SubjectKind, SubjectStatus

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_home_counts_what_the_visitor_can_see(organisation) -> None:  # type: ignore[no-untyped-def]
    SubjectFactory(owner=organisation, country="KR")
    SubjectFactory(owner=organisation, country="CN", kind=SubjectKind.PROTECTED_AREA)
    SubjectFactory(owner=organisation, country="FR", status=SubjectStatus.DRAFT)
    html = Client().get("/").content.decode()
    assert "<strong>2</strong><span>subjects</span>" in html
    assert "<strong>1</strong><span>protected and conserved areas</span>" in html
    assert "<strong>2</strong><span>countries</span>" in html


def test_subject_list_filters_and_htmx_partial(organisation) -> None:  # type: ignore[no-untyped-def]
    SubjectFactory(owner=organisation, name="Jeju", country="KR", search_text="jeju kr")
    SubjectFactory(owner=organisation, name="Xianju", country="CN", search_text="xianju cn")
    page = Client().get("/subjects/?country=CN").content.decode()
    assert "Xianju" in page
    assert ">Jeju<" not in page
    assert "<html" in page
    partial = Client().get("/subjects/?q=jeju", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert ">Jeju<" in partial
    assert "1 subject" in partial


def test_subject_page_shows_map_data_and_accessible_table(organisation) -> None:  # type: ignore[no-untyped-def]
    subject = SubjectFactory(
        owner=organisation,
        geometry=SQUARE,
        geometry_kind="Polygon",
        geometry_area_km2=103.36,
        centroid_lon=126.55,
        centroid_lat=33.35,
        bbox=[126.5, 33.3, 126.6, 33.4],
    )
    html = Client().get(f"/subjects/{subject.pk}/").content.decode()
    assert 'id="subject-geometry" type="application/json"' in html
    assert 'data-map="subject-geometry"' in html
    assert "103.36 km²" in html
    assert "126.5500, 33.3500" in html
    assert "/static/vendor/leaflet/leaflet.js" in html


def test_draft_of_another_organisation_is_404(outsider, organisation) -> None:  # type: ignore[no-untyped-def]
    draft = SubjectFactory(owner=organisation, status=SubjectStatus.DRAFT)
    assert signed_in(outsider).get(f"/subjects/{draft.pk}/").status_code == 404
    assert Client().get(f"/subjects/{draft.pk}/").status_code == 404


def test_edit_refused_for_another_organisation(outsider, organisation) -> None:  # type: ignore[no-untyped-def]
    subject = SubjectFactory(owner=organisation, name="Jeju")
    client = signed_in(outsider)
    detail = client.get(f"/subjects/{subject.pk}/").content.decode()
    assert "/edit/" not in detail
    response = client.post(
        f"/subjects/{subject.pk}/edit/",
        {"name": "Hijacked", "kind": "jurisdiction", "country": "KR"},
    )
    assert response.status_code == 403
    assert "You cannot edit subjects of" in response.content.decode()
    subject.refresh_from_db()
    assert subject.name == "Jeju"


def test_applicant_creates_a_subject_through_the_form(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(applicant).post(
        "/subjects/new/",
        {
            "kind": "protected_area",
            "owner": organisation.pk,
            "name": "Hallasan National Park",
            "name_zh": "汉拏山国立公园",
            "country": "KR",
            "iucn_category": "II",
            "governance_type": "government_subnational",
            "geometry": '{"type": "Polygon", "coordinates": [[[126.5, 33.3], [126.6, 33.3], '
            "[126.6, 33.4], [126.5, 33.4], [126.5, 33.3]]]}",
        },
    )
    subject = Subject.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/subjects/{subject.pk}/"
    assert subject.names == {"zh": "汉拏山国立公园"}
    assert subject.geometry_kind == "Polygon"
    assert subject.status == SubjectStatus.DRAFT


def test_form_shows_field_errors_and_saves_nothing(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(applicant).post(
        "/subjects/new/",
        {
            "kind": "jurisdiction",
            "owner": organisation.pk,
            "name": "Zhejiang",
            "country": "KR",
            "subdivision_code": "CN-ZJ",
            "geometry": "{not json",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "This is not valid JSON" in html
    assert Subject.objects.count() == 0


def test_geometry_file_upload_is_type_checked(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = signed_in(applicant).post(
        "/subjects/new/",
        {
            "kind": "jurisdiction",
            "owner": organisation.pk,
            "name": "Jeju",
            "country": "KR",
            "geometry_file": SimpleUploadedFile("shape.exe", b"MZ", "application/octet-stream"),
        },
    )
    assert "Upload a .geojson or .json file." in response.content.decode()
    assert Subject.objects.count() == 0


def test_viewer_cannot_open_the_create_form(viewer) -> None:  # type: ignore[no-untyped-def]
    response = signed_in(viewer).get("/subjects/new/")
    assert response.status_code == 403
    assert "no organisation in which you can register" in response.content.decode()


def test_publish_button_flow(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    subject = SubjectFactory(owner=organisation, status=SubjectStatus.DRAFT)
    client = signed_in(applicant)
    assert "Publish in the registry" in client.get(f"/subjects/{subject.pk}/").content.decode()
    page = client.post(f"/subjects/{subject.pk}/publish/", follow=True).content.decode()
    assert "The subject is now in the public registry." in page
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.PUBLISHED


def test_my_organisations(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    html = signed_in(applicant).get("/me/organisations/").content.decode()
    assert organisation.name in html
    assert "Applicant" in html


def test_language_switch_to_french(organisation) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="fr"' in html


def test_admin_is_for_staff_only(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory

    SubjectFactory(owner=organisation, name="Hallasan")
    staff = UserFactory(is_staff=True, is_superuser=True)
    page = signed_in(staff).get("/admin/registry/subject/").content.decode()
    assert "Hallasan" in page
    refused = signed_in(applicant).get("/admin/registry/subject/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/admin/login/")


def test_admin_changes_are_audited(organisation) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import UserFactory
    from weh.core.models import AuditEntry

    staff = UserFactory(is_staff=True, is_superuser=True)
    signed_in(staff).post(
        f"/admin/accounts/organisation/{organisation.pk}/change/",
        {
            "name": "Jeju Province",
            "acronym": "",
            "type": organisation.type,
            "country": "KR",
            "website": "",
            "description": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
        },
    )
    organisation.refresh_from_db()
    assert organisation.name == "Jeju Province"
    entry = AuditEntry.objects.get(action="admin-update")
    assert entry.before["name"] == "Jeju Special Self-Governing Province"
    assert entry.after["name"] == "Jeju Province"
    assert entry.actor == staff


def test_a_field_with_two_errors_shows_both_under_one_id() -> None:
    class When(forms.Form):
        day = forms.DateField(label="Day")

    form = When(data={"day": "2030-01-01"})
    assert form.is_valid()
    form.add_error("day", "The day is in the future.")
    form.add_error("day", "The day is after the commitment ends.")
    html = render_to_string("web/_field.html", {"field": form["day"]})
    assert html.count('id="id_day_error"') == 1
    assert "The day is in the future.<br>The day is after the commitment ends.</span>" in html
