"""A recognition's certificate: the signed JSON (verifies offline, tampering shows), the printable
page with its QR code, and the PDF drawn from the same signed statement."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import SubjectFactory
from tests.review.factories import (  # noqa: F401 - fixtures
    RecognitionFactory,
    catalog,
    fresh_registry,
)
from weh.core.signing import certificate_public_keys, published_keys_document
from weh.review import certificate, pdf
from weh.review.certificate import CertificateError
from weh.review.models import Recognition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog", "fresh_registry")]


@pytest.fixture
def hallasan() -> Recognition:
    return RecognitionFactory(
        subject=SubjectFactory(name="Hallasan National Park", kind="protected_area"),
        standard_key="iucn-green-list@1.1",
        tier="certified",
        level="meets_standard",
    )


def download(serial: str, name: str = "review:certificate-json", **headers: str):  # type: ignore[no-untyped-def]
    return Client().get(reverse(name, args=[serial]), headers=headers)


# --- the signed JSON --------------------------------------------------------------------------


def test_json_is_the_stored_signed_document(hallasan: Recognition) -> None:
    response = download(hallasan.serial)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{hallasan.serial}.json"'
    assert json.loads(response.content) == hallasan.certificate
    # Canonical: what a verifier recomputes is what was sent.
    assert response.content == certificate.canonical_json(hallasan.certificate)


def test_json_verifies_with_the_installation_keys(hallasan: Recognition) -> None:
    statement = certificate.verify_certificate(
        download(hallasan.serial).content,
        certificate_public_keys(),
        issuer=settings.WEH_CERTIFICATE_ISSUER,
    )
    assert statement["certificate_id"] == hallasan.serial
    assert statement["subject"]["name"] == "Hallasan National Park"
    assert statement["standard"]["id"] == "iucn-green-list"
    assert statement["tier"] == "certified"
    assert statement["level"]["code"] == "meets_standard"
    assert statement["registry_url"] == settings.WEH_SITE_URL + reverse(
        "review:recognition", args=[hallasan.serial]
    )


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("statement", "subject", "name"), "Another Park"),
        (("statement", "level", "code"), "candidate"),
        (("statement", "valid_until"), "2099-12-31"),
        (("statement", "criteria", 0, "percent"), "100"),
    ],
)
def test_tampering_with_the_json_is_detected(hallasan: Recognition, path, value) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(download(hallasan.serial).content)
    altered = copy.deepcopy(document)
    target = altered
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(CertificateError) as refused:
        certificate.verify_certificate(altered, certificate_public_keys())
    assert refused.value.code == "bad-signature"


def test_the_command_line_verifies_the_download(
    hallasan: Recognition, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    document = tmp_path / f"{hallasan.serial}.json"
    document.write_bytes(download(hallasan.serial).content)
    keys = tmp_path / "weh-keys.json"
    keys.write_text(json.dumps(published_keys_document()))
    call_command("verify", "certificate", str(document), "--keys", str(keys))
    assert f"Certificate {hallasan.serial} is authentic." in capsys.readouterr().out


def test_json_has_validators(hallasan: Recognition) -> None:
    first = download(hallasan.serial)
    assert first["Cache-Control"] == "public, max-age=60"
    assert download(hallasan.serial)["ETag"] == first["ETag"]
    again = download(hallasan.serial, **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_unknown_serial_has_no_certificate() -> None:
    for name in ("review:certificate", "review:certificate-pdf", "review:certificate-json"):
        assert download("WEH-NOSUCH", name).status_code == 404


# --- the printable page -----------------------------------------------------------------------


def test_certificate_page_has_the_qr_code_facts_and_how_to_verify(hallasan: Recognition) -> None:
    response = download(hallasan.serial, "review:certificate")
    assert response.status_code == 200
    body = response.content.decode()
    page_url = settings.WEH_SITE_URL + reverse("review:recognition", args=[hallasan.serial])
    assert '<svg role="img"' in body
    assert 'class="qr-code"' in body
    assert f"QR code leading to this recognition in the registry: {page_url}" in body
    assert hallasan.serial in body
    assert "Hallasan National Park" in body
    assert "Meets the Green List Standard" in body
    assert "Certified" in body
    key_id = hallasan.certificate["signature"]["key_id"]
    assert key_id in body
    assert f"weh verify certificate {hallasan.serial}.json --url {settings.WEH_SITE_URL}" in body
    assert reverse("review:certificate-json", args=[hallasan.serial]) in body
    assert reverse("review:certificate-pdf", args=[hallasan.serial]) in body
    statement = hallasan.certificate["statement"]
    for date in (statement["valid_from"], statement["valid_until"], statement["decision_date"]):
        assert date in body
    assert "<script>" not in body
    assert "style=" not in body


def test_certificate_page_shows_a_suspension(hallasan: Recognition) -> None:
    hallasan.status = "suspended"
    hallasan.save()
    body = download(hallasan.serial, "review:certificate").content.decode()
    assert "Current status in the registry: Suspended." in body


# --- the PDF ----------------------------------------------------------------------------------


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    # Lines wrap where the layout says: compare words, not line breaks.
    return " ".join(text.split())


def test_pdf_carries_the_statement(hallasan: Recognition, tmp_path: Path) -> None:
    response = download(hallasan.serial, "review:certificate-pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path)
    statement = hallasan.certificate["statement"]
    for fact in (
        "Certificate of recognition",
        "Hallasan National Park",
        hallasan.serial,
        "Meets the Green List Standard",
        statement["valid_until"],
        hallasan.certificate["signature"]["key_id"],
        f"weh verify certificate {hallasan.serial}.json",
    ):
        assert fact in text


def test_pdf_is_drawn_from_the_signed_statement_not_the_row(
    hallasan: Recognition, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # The row's copy of the name changes; the certificate (signed at the decision) does not.
    Recognition.objects.filter(pk=hallasan.pk).update(subject_name="Renamed Park")
    text = pdf_text(download(hallasan.serial, "review:certificate-pdf").content, tmp_path)
    assert "Hallasan National Park" in text
    assert "Renamed Park" not in text


def test_pdf_in_korean_and_french(tmp_path: Path) -> None:
    jeju = RecognitionFactory(subject=SubjectFactory(name="제주특별자치도"), level="gold")
    text = pdf_text(
        download(jeju.serial, "review:certificate-pdf", **{"Accept-Language": "fr"}).content,
        tmp_path,
    )
    assert "제주특별자치도" in text
    assert jeju.serial in text
    assert "Or" in text


def test_pdf_is_reproducible_and_has_validators(hallasan: Recognition) -> None:
    # One strong ETag, one file: the same bytes every time.
    assert pdf.certificate_pdf(hallasan.certificate) == pdf.certificate_pdf(hallasan.certificate)
    first = download(hallasan.serial, "review:certificate-pdf")
    assert first["Cache-Control"] == "public, max-age=60"
    assert download(hallasan.serial, "review:certificate-pdf")["ETag"] == first["ETag"]
    assert (
        download(
            hallasan.serial, "review:certificate-pdf", **{"If-None-Match": first["ETag"]}
        ).status_code
        == 304
    )
    french = download(hallasan.serial, "review:certificate-pdf", **{"Accept-Language": "fr"})
    assert french["ETag"] != first["ETag"]


def test_a_suspended_recognition_says_so_on_paper(hallasan: Recognition, tmp_path: Path) -> None:
    hallasan.status = "suspended"
    hallasan.save()
    text = pdf_text(download(hallasan.serial, "review:certificate-pdf").content, tmp_path)
    assert "Status in the registry when this file was made: Suspended." in text
