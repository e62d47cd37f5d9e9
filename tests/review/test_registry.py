"""The public registry of recognitions: the list and its filters, the map, the downloads, one
recognition's page, filing an alert, and the validators (ETag, 304) of every response."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.factories import SubjectFactory, UserFactory
from tests.review.factories import (  # noqa: F401 - fixtures
    RecognitionFactory,
    catalog,
    fresh_registry,
)
from weh.registry.models import SubjectKind, SubjectStatus
from weh.review import registry
from weh.review.models import Alert, Recognition

# The catalog's standards in every test; no cache kept from another test's registry.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog", "fresh_registry")]


def recognition(
    name: str,
    *,
    country: str = "KR",
    kind: str = SubjectKind.JURISDICTION,
    position: tuple[float, float] | None = (33.35, 126.55),
    valid_from: date,
    **values: object,
) -> Recognition:
    subject = SubjectFactory(
        name=name,
        country=country,
        kind=kind,
        centroid_lat=position[0] if position else None,
        centroid_lon=position[1] if position else None,
    )
    return RecognitionFactory(subject=subject, valid_from=valid_from, **values)


@pytest.fixture
def recognitions() -> dict[str, Recognition]:
    """Six recognitions over three countries, four standards, every status."""
    return {
        "jeju": recognition(
            "Jeju Special Self-Governing Province",
            valid_from=date(2026, 6, 1),
            tier="reviewed",
            level="gold",
            percent=Decimal("82.500"),
        ),
        "hallasan": recognition(
            "Hallasan National Park",
            kind=SubjectKind.PROTECTED_AREA,
            valid_from=date(2026, 5, 1),
            standard_key="iucn-green-list@1.1",
            tier="certified",
            level="meets_standard",
            committee="Green List Committee, session 12",
        ),
        "barcelona": recognition(
            "Barcelona Green Roofs",
            country="ES",
            kind=SubjectKind.NBS_INTERVENTION,
            position=None,
            valid_from=date(2026, 4, 1),
            standard_key="iucn-nbs@1.0",
            tier="self_assessed",
            level="adherent",
        ),
        "seoul": recognition(
            "Seoul Metropolitan City",
            valid_from=date(2026, 2, 1),
            standard_key="uea@2005",
            tier="certified",
            level="three_stars",
            percent=None,
            assessment__overall_count=14,
            assessment__applicable=20,
        ),
        "lyon": recognition(
            "Lyon Metropole",
            country="FR",
            position=(45.76, 4.84),
            valid_from=date(2026, 3, 1),
            tier="reviewed",
            level="silver",
            status="suspended",
        ),
        "camargue": recognition(
            "Camargue Wetlands",
            country="FR",
            kind=SubjectKind.PROTECTED_AREA,
            position=(43.5, 4.6),
            valid_from=date(2019, 1, 1),
            standard_key="iucn-green-list@1.1",
            tier="reviewed",
            level="meets_standard",
            status="expired",
        ),
    }


ROW_NAME = re.compile(r'<th scope="row"><a href="[^"]+">([^<]+)</a>')


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The subjects listed in the results table, in order."""
    return ROW_NAME.findall(response.content.decode())


def listed(query: str = "") -> list[str]:
    response = Client().get(reverse("review:registry") + query)
    assert response.status_code == 200
    return names(response)


# --- the list ---------------------------------------------------------------------------------


def test_active_recognitions_newest_first_by_default(recognitions) -> None:  # type: ignore[no-untyped-def]
    assert listed() == [
        "Jeju Special Self-Governing Province",
        "Hallasan National Park",
        "Barcelona Green Roofs",
        "Seoul Metropolitan City",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?standard=iucn-green-list", ["Hallasan National Park"]),
        (
            "?standard=weh-framework&status=all",
            ["Jeju Special Self-Governing Province", "Lyon Metropole"],
        ),
        ("?tier=certified", ["Hallasan National Park", "Seoul Metropolitan City"]),
        ("?level=adherent", ["Barcelona Green Roofs"]),
        ("?country=es", ["Barcelona Green Roofs"]),
        ("?country=FR", []),
        ("?country=FR&status=all", ["Lyon Metropole", "Camargue Wetlands"]),
        ("?kind=protected_area", ["Hallasan National Park"]),
        ("?kind=protected_area&status=all", ["Hallasan National Park", "Camargue Wetlands"]),
        ("?status=suspended", ["Lyon Metropole"]),
        ("?status=expired", ["Camargue Wetlands"]),
        (
            "?status=bogus",
            [
                "Jeju Special Self-Governing Province",
                "Hallasan National Park",
                "Barcelona Green Roofs",
                "Seoul Metropolitan City",
            ],
        ),
        ("?status=all&tier=reviewed&country=KR", ["Jeju Special Self-Governing Province"]),
    ],
)
def test_each_filter_narrows_the_list(recognitions, query, expected) -> None:  # type: ignore[no-untyped-def]
    assert listed(query) == expected


def test_all_statuses_in_date_order(recognitions) -> None:  # type: ignore[no-untyped-def]
    assert listed("?status=all") == [
        "Jeju Special Self-Governing Province",
        "Hallasan National Park",
        "Barcelona Green Roofs",
        "Lyon Metropole",
        "Seoul Metropolitan City",
        "Camargue Wetlands",
    ]


def test_search_by_name_words_or_certificate_number(recognitions) -> None:  # type: ignore[no-untyped-def]
    assert listed("?q=hallasan") == ["Hallasan National Park"]
    assert listed("?q=GREEN+roofs") == ["Barcelona Green Roofs"]
    assert listed("?q=park+roofs") == []
    serial = recognitions["seoul"].serial
    assert listed(f"?q={serial.lower()}") == ["Seoul Metropolitan City"]
    # Searching does not reach past the status filter.
    assert listed("?q=lyon") == []
    assert listed("?q=lyon&status=all") == ["Lyon Metropole"]


def test_rows_show_the_facts_in_the_request_language(recognitions) -> None:  # type: ignore[no-untyped-def]
    body = Client().get(reverse("review:registry")).content.decode()
    row = body[body.index("Jeju Special Self-Governing Province") :].split("</tr>")[0]
    for text in ("Korea, Republic of", "WEH Framework", "Reviewed", "Gold", "82.5 %", "2031-06-01"):
        assert text in row
    assert "Recognised" in row
    seoul = body[body.index("Seoul Metropolitan City") :].split("</tr>")[0]
    assert "Three stars" in seoul
    assert "14 indicators rated" in seoul

    french = Client(headers={"Accept-Language": "fr"}).get(reverse("review:registry"))
    page = french.content.decode()
    assert "Cadre WEH" in page
    assert ">Or<" in page.replace("<br>", "<")


def test_htmx_gets_the_results_only(recognitions) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(
        reverse("review:registry") + "?country=ES", headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "<html" not in body
    assert names(response) == ["Barcelona Green Roofs"]
    assert "HX-Request" in response["Vary"]


def test_pages_of_twenty_five() -> None:
    for day in range(1, 31):
        recognition(f"Town {day:02d}", valid_from=date(2026, 1, day))
    first = listed()
    assert len(first) == 25
    assert first[0] == "Town 30"
    second = Client().get(reverse("review:registry") + "?page=2")
    assert names(second) == ["Town 05", "Town 04", "Town 03", "Town 02", "Town 01"]
    assert "Page 2 of 2" in second.content.decode()


def test_the_list_reads_a_fixed_number_of_queries(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for day in range(1, 4):
        recognition(f"Town {day:02d}", valid_from=date(2026, 1, day))
    registry.clear_caches()
    with django_assert_max_num_queries(8) as few:
        Client().get(reverse("review:registry"))
    for day in range(4, 29):
        recognition(f"Town {day:02d}", country="FR", valid_from=date(2026, 1, day))
    registry.clear_caches()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(listed("?status=all")) == 25
    # Answered again from what the first rendering kept: no query at all.
    with django_assert_max_num_queries(0):
        assert len(listed("?status=all")) == 25


def test_no_recognition_says_so() -> None:
    body = Client().get(reverse("review:registry")).content.decode()
    assert "No recognition matches these filters." in body


# --- the map ----------------------------------------------------------------------------------


def features(response) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    content = response.content
    if response.get("Content-Encoding") == "gzip":
        content = gzip.decompress(content)
    return json.loads(content)["features"]


def test_map_points_with_their_properties(recognitions) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse("review:registry-map"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    document = json.loads(response.content)
    assert document["type"] == "FeatureCollection"
    by_name = {f["properties"]["name"]: f for f in document["features"]}
    # Barcelona has no position; suspended and expired ones are not active.
    assert set(by_name) == {
        "Jeju Special Self-Governing Province",
        "Hallasan National Park",
        "Seoul Metropolitan City",
    }
    hallasan = by_name["Hallasan National Park"]
    assert hallasan["geometry"] == {"type": "Point", "coordinates": [126.55, 33.35]}
    serial = recognitions["hallasan"].serial
    assert hallasan["properties"] == {
        "serial": serial,
        "name": "Hallasan National Park",
        "standard": "iucn-green-list",
        "tier": "certified",
        "level": "meets_standard",
        "status": "active",
        "url": reverse("review:recognition", args=[serial]),
    }
    labels = document["labels"]
    assert labels["level"]["iucn-green-list"]["meets_standard"] == "Meets the Green List Standard"
    assert labels["tier"]["certified"] == "Certified"
    assert labels["standard"]["uea"] == "UEA"


def test_map_honours_the_filters_and_the_language(recognitions) -> None:  # type: ignore[no-untyped-def]
    url = reverse("review:registry-map")
    assert [
        f["properties"]["name"] for f in features(Client().get(url + "?country=FR&status=all"))
    ] == [
        "Lyon Metropole",
        "Camargue Wetlands",
    ]
    assert features(Client().get(url + "?q=seoul"))[0]["properties"]["level"] == "three_stars"
    french = json.loads(Client(headers={"Accept-Language": "fr"}).get(url).content)
    assert french["labels"]["level"]["weh-framework"]["gold"] == "Or"


def test_map_is_gzipped_for_clients_that_accept_it(recognitions) -> None:  # type: ignore[no-untyped-def]
    url = reverse("review:registry-map")
    plain = Client().get(url)
    packed = Client().get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert "Accept-Encoding" in packed["Vary"]
    assert packed["ETag"] != plain["ETag"]


def test_map_view_of_the_page_has_the_map_and_the_table(recognitions) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse("review:registry") + "?view=map&country=KR")
    body = response.content.decode()
    assert f'data-registry-map="{reverse("review:registry-map")}?country=KR"' in body
    assert "vendor/leaflet/leaflet.js" in body
    assert "Recognitions shown on the map" in body
    assert names(response) == [
        "Jeju Special Self-Governing Province",
        "Hallasan National Park",
        "Seoul Metropolitan City",
    ]
    # Nothing inline: the strict CSP forbids it.
    assert "<script>" not in body
    assert "style=" not in body


# --- downloads --------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_of_the_filtered_registry(recognitions) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse("review:registry-csv") + "?country=KR")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="recognitions-filtered.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:4] == ["Certificate number", "Subject", "Kind", "Country"]
    assert [row[1] for row in rows] == [
        "Jeju Special Self-Governing Province",
        "Hallasan National Park",
        "Seoul Metropolitan City",
    ]
    jeju = dict(zip(header, rows[0], strict=True))
    assert jeju["Certificate number"] == recognitions["jeju"].serial
    assert jeju["Standard"] == "weh-framework"
    assert jeju["Standard version"] == "1.0"
    assert jeju["Assurance tier"] == "reviewed"
    assert jeju["Level"] == "gold"
    assert jeju["Overall %"] == "82.500"
    assert jeju["Criterion scores"].startswith("W1 77.5; W2 82.5; W3 87.5")
    assert jeju["Valid from"] == "2026-06-01"
    assert jeju["Valid until"] == "2031-06-01"
    assert jeju["Status"] == "active"
    assert jeju["Registry page"].endswith(
        reverse("review:recognition", args=[recognitions["jeju"].serial])
    )
    seoul = dict(zip(header, rows[2], strict=True))
    assert seoul["Overall %"] == ""
    assert seoul["Count"] == "14"


def test_csv_cells_cannot_become_formulas() -> None:
    recognition("=HYPERLINK(1)", valid_from=date(2026, 1, 1))
    _header, row = csv_rows(Client().get(reverse("review:registry-csv")))
    assert row[1] == "'=HYPERLINK(1)"


def test_json_of_the_filtered_registry(recognitions) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse("review:registry-json") + "?status=all&country=FR")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(b"".join(response.streaming_content))
    assert document["filters"] == {"status": "all", "country": "FR"}
    assert document["source"].endswith("/recognitions.json?country=FR&status=all")
    lyon, camargue = document["recognitions"]
    assert lyon["subject"] == "Lyon Metropole"
    assert lyon["status"] == "suspended"
    assert camargue["status"] == "expired"
    assert camargue["kind"] == "protected_area"
    assert camargue["standard"] == "iucn-green-list"
    assert camargue["standard_version"] == "1.1"
    assert camargue["level"] == "meets_standard"
    assert camargue["level_label"] == "Meets the Green List Standard"
    assert camargue["criterion_scores"][:2] == [
        {"code": "1.1", "percent": "77.5", "band": "approaching"},
        {"code": "1.2", "percent": "82.5", "band": "approaching"},
    ]
    assert camargue["valid_until"] == "2024-01-01"
    assert camargue["url"].endswith(reverse("review:recognition", args=[camargue["serial"]]))
    assert set(lyon) == {
        "serial",
        "subject",
        "kind",
        "country",
        "standard",
        "standard_version",
        "tier",
        "level",
        "level_label",
        "overall_percent",
        "overall_count",
        "criterion_scores",
        "valid_from",
        "valid_until",
        "status",
        "url",
    }


def test_json_of_an_empty_registry_is_valid() -> None:
    response = Client().get(reverse("review:registry-json"))
    assert json.loads(b"".join(response.streaming_content))["recognitions"] == []


# --- one recognition --------------------------------------------------------------------------


def page(serial: str, client: Client | None = None) -> str:
    response = (client or Client()).get(reverse("review:recognition", args=[serial]))
    assert response.status_code == 200
    return response.content.decode()


def test_recognition_page_facts_scores_and_decision(recognitions) -> None:  # type: ignore[no-untyped-def]
    hallasan = recognitions["hallasan"]
    body = page(hallasan.serial)
    assert "<h1>Hallasan National Park</h1>" in body
    assert hallasan.serial in body
    assert "IUCN Green List of Protected and Conserved Areas: Standard" in body
    assert "Meets the Green List Standard" in body
    assert "Certified" in body
    # The tier's description, from the standard.
    assert escape(hallasan.standard_version.parsed().tier("certified").description["en"]) in body
    # Every criterion, with its title and score.
    for criterion, score in zip(
        hallasan.standard_version.parsed().all_criteria(), hallasan.criterion_scores, strict=True
    ):
        assert f'<th scope="row">{criterion.code}</th>' in body
        assert escape(criterion.title["en"]) in body
        assert f'<meter min="0" max="100" value="{score["percent"]}"' in body
    assert "Two concurring independent reviews" in body
    assert "Green List Committee, session 12" in body
    assert "2026-05-01" in body
    assert "2031-05-01" in body
    assert "2028-05-01" in body  # mid-term check
    for name in ("review:certificate", "review:certificate-pdf", "review:certificate-json"):
        assert reverse(name, args=[hallasan.serial]) in body
    assert reverse("web:subject_detail", args=[hallasan.subject_id]) in body
    assert reverse("review:file-alert", args=[hallasan.serial]) in body


def test_recognition_page_names_no_reviewer_and_no_answer(recognitions) -> None:  # type: ignore[no-untyped-def]
    jeju = recognitions["jeju"]
    body = page(jeju.serial)
    assert jeju.decision.decided_by.username not in body
    assert jeju.assessment.coordinator.username not in body
    assert jeju.decision.decided_by.email not in body


def test_suspended_and_expired_are_clearly_shown(recognitions) -> None:  # type: ignore[no-untyped-def]
    assert "This recognition is suspended." in page(recognitions["lyon"].serial)
    expired = page(recognitions["camargue"].serial)
    assert "This recognition has expired." in expired
    assert "It was valid until 2024-01-01." in expired


def test_no_link_to_an_unpublished_subject(recognitions) -> None:  # type: ignore[no-untyped-def]
    seoul = recognitions["seoul"]
    seoul.subject.status = SubjectStatus.DRAFT
    seoul.subject.save()
    assert reverse("web:subject_detail", args=[seoul.subject_id]) not in page(seoul.serial)


def test_unknown_serial_is_not_found() -> None:
    for name in ("review:recognition", "review:certificate", "review:certificate-pdf"):
        response = Client().get(reverse(name, args=["WEH-NOSUCHTHING"]))
        assert response.status_code == 404
    assert "Page not found" in Client().get("/recognitions/WEH-NOSUCH/").content.decode()


# --- alerts -----------------------------------------------------------------------------------

CONCERN = "The restored wetland was drained again in March; photos are on the council's site."


def test_anyone_files_an_alert(recognitions) -> None:  # type: ignore[no-untyped-def]
    serial = recognitions["jeju"].serial
    client = Client()
    response = client.post(
        reverse("review:file-alert", args=[serial]),
        {"body": CONCERN, "contact": "resident@example.org"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("review:recognition", args=[serial]) + "#alert"
    alert = Alert.objects.get()
    assert alert.recognition == recognitions["jeju"]
    assert alert.filed_by is None
    assert alert.contact == "resident@example.org"
    assert alert.body == CONCERN
    assert "Your concern was sent to the secretariat" in page(serial, client)


def test_signed_in_alert_names_its_author(recognitions) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    client = Client()
    client.force_login(user)
    client.post(reverse("review:file-alert", args=[recognitions["jeju"].serial]), {"body": CONCERN})
    assert Alert.objects.get().filed_by == user


def test_alert_errors_are_shown_on_the_form(recognitions) -> None:  # type: ignore[no-untyped-def]
    response = Client().post(
        reverse("review:file-alert", args=[recognitions["jeju"].serial]),
        {"body": "Too short.", "contact": "not an address"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Describe the concern in at least 20 characters." in body
    assert "Enter a valid e-mail address, or leave it empty." in body
    assert "Too short.</textarea>" in body
    assert response["Cache-Control"] == "private, no-store"
    assert not Alert.objects.exists()


def test_alerts_are_rate_limited_per_address(recognitions, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_ALERT_RATE_LIMIT = "2/h"
    url = reverse("review:file-alert", args=[recognitions["jeju"].serial])
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert client.post(url, {"body": CONCERN}).status_code == 302
    assert client.post(url, {"body": "short"}).status_code == 422  # counted as well
    refused = client.post(url, {"body": CONCERN})
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert Alert.objects.count() == 1
    # Another address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.8").post(url, {"body": CONCERN}).status_code == 302


def test_alert_about_an_unknown_serial_is_not_found() -> None:
    response = Client().post(reverse("review:file-alert", args=["WEH-NOSUCH"]), {"body": CONCERN})
    assert response.status_code == 404


def test_alert_form_needs_post(recognitions) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse("review:file-alert", args=[recognitions["jeju"].serial]))
    assert response.status_code == 405


# --- caching ----------------------------------------------------------------------------------

PUBLIC_URLS = (
    "review:registry",
    "review:registry-map",
    "review:registry-csv",
    "review:registry-json",
)


def get(url: str, **headers: str):  # type: ignore[no-untyped-def]
    # A new client each time: cookies from an earlier answer are part of a page's ETag.
    return Client().get(url, headers=headers)


@pytest.mark.parametrize("name", PUBLIC_URLS)
def test_registry_responses_have_a_strong_etag_and_answer_304(recognitions, name) -> None:  # type: ignore[no-untyped-def]
    url = reverse(name)
    first, second = get(url), get(url)
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{24}"', etag)
    assert second["ETag"] == etag
    # The list page hands a first visitor the CSRF cookie (its language form): that answer is
    # theirs alone. Downloads set no cookie and stay public.
    sets_cookie = name == "review:registry"
    assert bool(first.cookies) == sets_cookie
    assert first["Cache-Control"] == (
        "max-age=60, private" if sets_cookie else "public, max-age=60"
    )
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}
    unchanged = get(url, **{"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == etag
    assert unchanged["Cache-Control"] == "public, max-age=60"
    # Weak comparison, lists and "*" (RFC 9110).
    assert get(url, **{"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert get(url, **{"If-None-Match": "*"}).status_code == 304
    assert get(url, **{"If-None-Match": '"other"'}).status_code == 200


def test_a_page_handing_out_a_cookie_is_private_and_its_304_public(recognitions) -> None:  # type: ignore[no-untyped-def]
    browser = Client()
    url = reverse("review:registry")
    for _ in range(2):
        # Django sends the CSRF cookie with every page that uses it (to renew its expiry): a
        # shared cache must keep none of them, or every visitor would get the same token.
        page = browser.get(url)
        assert "csrftoken" in page.cookies
        assert page["Cache-Control"] == "max-age=60, private"
        assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    unchanged = browser.get(url, headers={"If-None-Match": page["ETag"]})
    assert unchanged.status_code == 304
    assert not unchanged.cookies
    assert unchanged["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize(
    "name", [*PUBLIC_URLS, "review:recognition", "review:certificate", "review:certificate-pdf"]
)
def test_etag_changes_when_a_recognition_changes(recognitions, name) -> None:  # type: ignore[no-untyped-def]
    lyon = recognitions["lyon"]
    url = (
        reverse(name, args=[lyon.serial])
        if name.endswith(("recognition", "certificate", "pdf"))
        else reverse(name)
    )
    before = get(url)["ETag"]
    lyon.status = "active"
    lyon.save()
    after = get(url)
    assert after["ETag"] != before
    assert get(url, **{"If-None-Match": before}).status_code == 200


def test_etag_changes_with_a_new_recognition(recognitions) -> None:  # type: ignore[no-untyped-def]
    url = reverse("review:registry")
    before = get(url)["ETag"]
    recognition("Incheon", valid_from=date(2026, 7, 1))
    assert get(url)["ETag"] != before
    assert listed()[0] == "Incheon"


def test_etag_differs_per_language_filter_and_page(recognitions) -> None:  # type: ignore[no-untyped-def]
    url = reverse("review:registry")
    tags = {
        get(url)["ETag"],
        get(url, **{"Accept-Language": "fr"})["ETag"],
        get(url + "?country=KR")["ETag"],
        get(url + "?country=FR")["ETag"],
        get(url + "?page=2")["ETag"],
        get(url + "?view=map")["ETag"],
        get(url, **{"HX-Request": "true"})["ETag"],
    }
    assert len(tags) == 7
    assert get(url + "?country=kr")["ETag"] == get(url + "?country=KR")["ETag"]
    map_url = reverse("review:registry-map")
    assert get(map_url)["ETag"] != get(map_url, **{"Accept-Language": "fr"})["ETag"]
    assert get(map_url)["ETag"] != get(map_url + "?tier=certified")["ETag"]


def test_a_french_304_is_not_an_english_one(recognitions) -> None:  # type: ignore[no-untyped-def]
    url = reverse("review:registry")
    english = get(url)["ETag"]
    assert get(url, **{"Accept-Language": "fr", "If-None-Match": english}).status_code == 200


def test_a_page_revalidates_with_its_cookies(recognitions) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    url = reverse("review:recognition", args=[recognitions["jeju"].serial])
    client.get(url)  # sets the CSRF cookie the alert form needs
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    # The same ETag from a visitor without those cookies would be another page.
    assert get(url, **{"If-None-Match": etag}).status_code == 200


def test_signed_in_pages_are_private_and_never_304(recognitions) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(UserFactory())
    url = reverse("review:registry")
    response = client.get(url)
    assert response.status_code == 200
    assert "ETag" not in response
    assert response["Cache-Control"] == "private, no-cache"
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 200
    # Documents that do not depend on the visitor keep their public validators.
    assert client.get(reverse("review:registry-map"))["Cache-Control"] == "public, max-age=60"
