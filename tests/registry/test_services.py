"""Registering and changing subjects through the registry services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import SQUARE, SubjectFactory
from weh.core.errors import Conflict, PermissionDenied, ValidationFailed
from weh.core.models import AuditEntry
from weh.registry import services
from weh.registry.models import Subject, SubjectStatus

pytestmark = pytest.mark.django_db


def test_jurisdiction_with_geometry_gets_measured(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    subject = services.create_subject(
        actor=applicant,
        values={
            "kind": "jurisdiction",
            "owner_id": organisation.pk,
            "name": "Jeju Special Self-Governing Province",
            "names": {"zh": "济州特别自治道", "FR": "Province de Jeju"},
            "country": "kr",
            "subdivision_code": "kr-49",
            "admin_level": 1,
            "population": 675000,
            "area_km2": "1850.2",
            "geometry": SQUARE,
        },
    )
    assert subject.status == SubjectStatus.DRAFT
    assert subject.country == "KR"
    assert subject.subdivision_code == "KR-49"
    assert subject.names == {"zh": "济州特别自治道", "fr": "Province de Jeju"}
    assert subject.area_km2 == Decimal("1850.200")
    assert subject.geometry_kind == "Polygon"
    # 0.1 by 0.1 degrees at 33.35° N: about 11.13 km by 9.30 km.
    assert subject.geometry_area_km2 == pytest.approx(103.4, rel=0.01)
    assert subject.centroid_lon == pytest.approx(126.55)
    assert subject.centroid_lat == pytest.approx(33.35)
    assert subject.bbox == [126.5, 33.3, 126.6, 33.4]
    assert "济州" in subject.search_text
    assert subject.display_name("zh-hans") == "济州特别自治道"
    assert subject.display_name("en") == "Jeju Special Self-Governing Province"


def test_subdivision_must_belong_to_the_country(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught:
        services.create_subject(
            actor=applicant,
            values={
                "kind": "jurisdiction",
                "owner_id": organisation.pk,
                "name": "Zhejiang",
                "country": "KR",
                "subdivision_code": "CN-ZJ",
            },
        )
    assert caught.value.errors == {
        "subdivision_code": ["'CN-ZJ' is not an ISO 3166-2 subdivision of KR."]
    }
    assert Subject.objects.count() == 0


def test_nbs_intervention_fields(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    subject = services.create_subject(
        actor=applicant,
        values={
            "kind": "nbs_intervention",
            "owner_id": organisation.pk,
            "name": "Can Gio mangrove restoration",
            "country": "VN",
            "societal_challenges": ["disaster_risk", "climate_change", "disaster_risk"],
            "ecosystems": ["mangrove"],
            "start_date": "2019-03-01",
            "budget": 2500000,
            "budget_currency": "usd",
            "geometry": {"type": "Point", "coordinates": [106.89, 10.41]},
        },
    )
    # Codes keep the vocabulary's order and appear once.
    assert subject.societal_challenges == ["climate_change", "disaster_risk"]
    assert subject.start_date == date(2019, 3, 1)
    assert subject.budget == Decimal("2500000.00")
    assert subject.budget_currency == "USD"
    assert subject.geometry_kind == "Point"
    assert subject.geometry_area_km2 == 0.0


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"budget": 10}, "budget_currency", "Give the currency of the budget."),
        ({"budget": 10, "budget_currency": "XYZ"}, "budget_currency", "ISO 4217"),
        ({"budget": -5, "budget_currency": "EUR"}, "budget", "zero or more"),
        ({"ecosystems": ["moon"]}, "ecosystems", "Unknown codes: moon"),
        ({"start_date": "2019-13-01"}, "start_date", "YYYY-MM-DD"),
        ({"population": 5}, "population", "applies only to subjects of kind"),
    ],
)
def test_nbs_validation(applicant, organisation, values, field, message) -> None:  # type: ignore[no-untyped-def]
    base = {
        "kind": "nbs_intervention",
        "owner_id": organisation.pk,
        "name": "Sponge city",
        "country": "CN",
    }
    with pytest.raises(ValidationFailed) as caught:
        services.create_subject(actor=applicant, values={**base, **values})
    assert message in " ".join(caught.value.errors[field])
    assert Subject.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_self_intersecting_polygon_is_repaired(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    subject = services.create_subject(
        actor=applicant,
        values={
            "kind": "protected_area",
            "owner_id": organisation.pk,
            "name": "Bow tie",
            "country": "KE",
            "geometry": bow_tie,
        },
    )
    assert subject.geometry_kind == "MultiPolygon"
    assert subject.geometry_area_km2 > 0


def test_update_keeps_other_fields_and_records_before_and_after(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    subject = services.create_subject(
        actor=applicant,
        values={
            "kind": "protected_area",
            "owner_id": organisation.pk,
            "name": "Hallasan",
            "country": "KR",
            "iucn_category": "II",
            "designation": "National Park",
        },
    )
    services.update_subject(actor=applicant, subject_id=subject.pk, values={"wdpa_id": 767})
    subject.refresh_from_db()
    assert (subject.iucn_category, subject.designation, subject.wdpa_id) == (
        "II",
        "National Park",
        767,
    )
    entry = AuditEntry.objects.get(action="update")
    assert entry.before["wdpa_id"] is None
    assert entry.after["wdpa_id"] == 767
    assert [c[0] for c in entry.changed_fields()] == ["updated_at", "wdpa_id"]


def test_kind_cannot_change(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    subject = SubjectFactory(owner=organisation)
    with pytest.raises(ValidationFailed) as caught:
        services.update_subject(
            actor=applicant, subject_id=subject.pk, values={"kind": "protected_area"}
        )
    assert caught.value.errors == {"kind": ["This field cannot be changed."]}


def test_moving_a_subject_to_an_organisation_you_do_not_belong_to(
    applicant, organisation, outsider
) -> None:  # type: ignore[no-untyped-def]
    subject = SubjectFactory(owner=organisation)
    other = outsider.memberships.get().organisation
    with pytest.raises(PermissionDenied):
        services.update_subject(
            actor=applicant, subject_id=subject.pk, values={"owner_id": other.pk}
        )
    subject.refresh_from_db()
    assert subject.owner == organisation


def test_publish_and_withdraw_check_the_current_state(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    subject = SubjectFactory(owner=organisation, status=SubjectStatus.DRAFT)
    services.publish_subject(actor=applicant, subject_id=subject.pk)
    with pytest.raises(Conflict, match="Published"):
        services.publish_subject(actor=applicant, subject_id=subject.pk)
    services.withdraw_subject(actor=applicant, subject_id=subject.pk)
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.DRAFT
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "publish",
        "withdraw",
    ]


def test_failed_service_call_leaves_nothing_behind(applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    """One transaction per service call: an error after the first write rolls everything back."""
    subject = SubjectFactory(owner=organisation, name="Before")
    with pytest.raises(ValidationFailed):
        services.update_subject(
            actor=applicant,
            subject_id=subject.pk,
            values={"name": "After", "geometry": {"type": "LineString", "coordinates": []}},
        )
    subject.refresh_from_db()
    assert subject.name == "Before"
    assert AuditEntry.objects.count() == 0
