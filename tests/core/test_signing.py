"""The installation's certificate key: loading, publishing, ``weh verify`` and ``weh keys``."""

from __future__ import annotations

import base64
import json
import re
import stat
import subprocess
import sys
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.test import RequestFactory
from django.urls import path

from weh.core import signing
from weh.review import certificate
from weh.review.wellknown import weh_keys

ISSUER = "weh.example.org"

# The live-server test serves the keys view from this module alone (see the urls marker below),
# so that it does not depend on the rest of the site's pages.
urlpatterns = [path(".well-known/weh-keys.json", weh_keys)]


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponseNotFound("not here", content_type="text/plain")


def key_text(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.private_bytes_raw()).decode()


@pytest.fixture(autouse=True)
def _isolated_key(settings, tmp_path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    # Never touch var/certificate_key of the working tree; every test starts without a key.
    key_file = tmp_path / "keys" / "certificate_key"
    settings.WEH_CERTIFICATE_KEY = ""
    settings.WEH_CERTIFICATE_KEY_FILE = key_file
    settings.WEH_CERTIFICATE_ISSUER = ISSUER
    settings.WEH_SITE_URL = "https://weh.example.org"
    monkeypatch.delenv(signing.OLD_PUBLIC_KEYS_VARIABLE, raising=False)
    signing.reset_signing_key()
    yield key_file
    signing.reset_signing_key()


@pytest.fixture
def key_file(_isolated_key: Path) -> Path:
    return _isolated_key


# --- loading the key ------------------------------------------------------------------------


def test_key_from_the_base64_setting(settings, key_file: Path) -> None:  # type: ignore[no-untyped-def]
    key = Ed25519PrivateKey.generate()
    settings.WEH_CERTIFICATE_KEY = key_text(key)
    assert signing.certificate_signing_key().private_bytes_raw() == key.private_bytes_raw()
    assert not key_file.exists()


def test_key_is_cached_until_reset(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_CERTIFICATE_KEY = key_text(Ed25519PrivateKey.generate())
    first = signing.certificate_signing_key()
    assert signing.certificate_signing_key() is first
    # Changing the setting (override_settings, the settings fixture) drops the cached key.
    settings.WEH_CERTIFICATE_KEY = key_text(Ed25519PrivateKey.generate())
    assert signing.certificate_signing_key() is not first


def test_key_from_the_file(key_file: Path) -> None:
    key = Ed25519PrivateKey.generate()
    key_file.parent.mkdir(parents=True)
    key_file.write_text(key_text(key) + "\n")
    assert signing.certificate_signing_key().private_bytes_raw() == key.private_bytes_raw()


def test_missing_file_is_generated_when_testing(key_file: Path) -> None:
    key = signing.certificate_signing_key()
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # The file holds the key in use, and no temporary file is left beside it.
    assert base64.b64decode(key_file.read_text()) == key.private_bytes_raw()
    assert [p.name for p in key_file.parent.iterdir()] == ["certificate_key"]
    signing.reset_signing_key()
    assert signing.certificate_signing_key().private_bytes_raw() == key.private_bytes_raw()


def test_a_key_file_written_meanwhile_by_another_process_wins(key_file: Path) -> None:
    theirs = Ed25519PrivateKey.generate()
    key_file.parent.mkdir(parents=True)
    key_file.write_text(key_text(theirs))
    # As if the file appeared between the existence check and the write.
    loaded = signing._generate_key_file(key_file)
    assert loaded.private_bytes_raw() == theirs.private_bytes_raw()
    assert [p.name for p in key_file.parent.iterdir()] == ["certificate_key"]


def test_no_key_outside_debug_and_testing_is_a_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "certificate_key"
    with pytest.raises(ImproperlyConfigured) as caught:
        signing.load_signing_key(key_text="", key_file=missing, allow_generate=False)
    message = str(caught.value)
    assert "weh keys generate" in message
    assert "base64.b64encode(os.urandom(32))" in message
    assert str(missing) in message
    assert not missing.exists()


def test_production_settings_without_a_key_refuse(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(ImproperlyConfigured, match="No certificate signing key"):
        signing.certificate_signing_key()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not base64!", "not valid base64"),
        (base64.b64encode(b"short").decode(), "holds 5 bytes; an Ed25519 private key has 32"),
    ],
)
def test_a_bad_key_setting_says_what_is_wrong(settings, text: str, message: str) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_CERTIFICATE_KEY = text
    with pytest.raises(ImproperlyConfigured) as caught:
        signing.certificate_signing_key()
    assert "WEH_CERTIFICATE_KEY" in str(caught.value)
    assert message in str(caught.value)


def test_old_public_keys_still_verify(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    old = [certificate.public_key_bytes(Ed25519PrivateKey.generate()) for _ in range(2)]
    monkeypatch.setenv(
        signing.OLD_PUBLIC_KEYS_VARIABLE, " , ".join(base64.b64encode(k).decode() for k in old)
    )
    keys = signing.certificate_public_keys()
    current = signing.current_public_key()
    assert list(keys) == [certificate.key_id(k) for k in [current, *old]]
    assert list(keys.values()) == [current, *old]


def test_a_bad_old_public_key_is_named_by_position(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    good = base64.b64encode(certificate.public_key_bytes(Ed25519PrivateKey.generate())).decode()
    monkeypatch.setenv(signing.OLD_PUBLIC_KEYS_VARIABLE, f"{good},AAAA")
    with pytest.raises(ImproperlyConfigured, match="entry 2 is not base64 of a 32-byte"):
        signing.certificate_public_keys()


# --- the published keys ---------------------------------------------------------------------


def test_keys_document_view_publishes_the_current_key(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    old = certificate.public_key_bytes(Ed25519PrivateKey.generate())
    monkeypatch.setenv(signing.OLD_PUBLIC_KEYS_VARIABLE, base64.b64encode(old).decode())
    response = weh_keys(RequestFactory().get("/.well-known/weh-keys.json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=3600"}
    document = json.loads(response.content)
    current = signing.current_public_key()
    assert document["issuer"] == ISSUER
    assert [(k["key_id"], k["status"]) for k in document["keys"]] == [
        (certificate.key_id(current), "current"),
        (certificate.key_id(old), "retired"),
    ]
    assert certificate.parse_keys_document(response.content) == signing.certificate_public_keys()


def test_keys_document_view_answers_only_reads() -> None:
    assert weh_keys(RequestFactory().post("/.well-known/weh-keys.json")).status_code == 405


# --- weh verify certificate -----------------------------------------------------------------


def statement(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "certificate_id": "WEH-2025-000123",
        "registry_url": "https://weh.example.org/registry/certificates/WEH-2025-000123",
        "subject": {
            "id": 7,
            "name": "Parc du Mont-Tremblant",
            "kind": "protected_area",
            "country": "CA",
        },
        "standard": {"id": "iucn-green-list", "version": "1.1", "title": "IUCN Green List"},
        "tier": "independent",
        "level": {"code": "green-list", "label": "Green Listed"},
        "overall_percent": "88.4",
        "criteria": [{"code": "1", "percent": "90.0"}, {"code": "2", "percent": "86.8"}],
        "decision_date": date(2025, 6, 2),
        "valid_from": date(2025, 6, 2),
        "valid_until": date(2099, 6, 1),
        "issuer": ISSUER,
        "issued_at": datetime(2025, 6, 2, 9, 0, tzinfo=UTC),
    }
    values.update(changes)
    return certificate.recognition_statement(**values)


def write_certificate(directory: Path, **changes: Any) -> Path:
    target = directory / "certificate.json"
    document = signing.sign_certificate(statement(**changes))
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    return target


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify", "certificate", *args, stdout=out)
    return out.getvalue()


def test_verify_a_signed_certificate_with_the_installations_keys(tmp_path: Path) -> None:
    output = verify(str(write_certificate(tmp_path)))
    key = certificate.key_id(signing.current_public_key())
    assert "Certificate WEH-2025-000123 is authentic." in output
    assert "Parc du Mont-Tremblant (protected_area, CA, id 7)" in output
    assert "IUCN Green List (iucn-green-list 1.1)" in output
    assert "Green Listed (green-list), overall 88.4 %" in output
    assert "2025-06-02 to 2099-06-01\n" in output
    assert f"weh.example.org, key {key}" in output


def test_an_expired_certificate_is_authentic_and_says_so(tmp_path: Path) -> None:
    path = write_certificate(tmp_path, valid_from=date(2020, 1, 1), valid_until=date(2022, 12, 31))
    assert "2020-01-01 to 2022-12-31 (expired)" in verify(str(path))


def test_one_changed_byte_fails_verification(tmp_path: Path) -> None:
    path = write_certificate(tmp_path)
    data = path.read_bytes()
    assert data.count(b"Mont-Tremblant") == 1
    path.write_bytes(data.replace(b"Mont-Tremblant", b"Mont-Tremblanu"))
    with pytest.raises(CommandError) as caught:
        verify(str(path))
    assert f"{path}: NOT verified. Bad signature" in str(caught.value)


def test_failure_goes_to_stderr_with_a_non_zero_exit(tmp_path: Path) -> None:
    path = write_certificate(tmp_path)
    keys = tmp_path / "weh-keys.json"
    keys.write_text(json.dumps(signing.published_keys_document()))
    path.write_bytes(path.read_bytes().replace(b'"88.4"', b'"98.4"'))
    result = subprocess.run(
        [sys.executable, "-m", "weh.cli", "verify", "certificate", str(path), "--keys", str(keys)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "NOT verified. Bad signature" in result.stderr


def test_verify_with_a_saved_keys_file(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_certificate(tmp_path)
    keys = tmp_path / "weh-keys.json"
    keys.write_text(json.dumps(signing.published_keys_document()))
    # This installation moves on to another key; the saved keys still vouch for the certificate.
    settings.WEH_CERTIFICATE_KEY = key_text(Ed25519PrivateKey.generate())
    assert "is authentic" in verify(str(path), "--keys", str(keys))
    with pytest.raises(CommandError, match="Unknown key id"):
        verify(str(path))


def test_keys_of_another_issuer_do_not_vouch(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_certificate(tmp_path)
    document = signing.published_keys_document()
    document["issuer"] = "other.example.org"
    keys = tmp_path / "weh-keys.json"
    keys.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=r"keys are those of 'other\.example\.org'"):
        verify(str(path), "--keys", str(keys))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read"),
        ("[]", "not a usable keys document. The keys document must be a JSON object"),
        ('{"format": "jwks"}', "Unknown keys document format 'jwks'"),
    ],
)
def test_bad_keys_files_are_reported(tmp_path: Path, content: str | None, message: str) -> None:
    path = write_certificate(tmp_path)
    keys = tmp_path / "weh-keys.json"
    if content is not None:
        keys.write_text(content)
    with pytest.raises(CommandError, match=re.escape(message)):
        verify(str(path), "--keys", str(keys))


def test_a_missing_certificate_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.json: No such file"):
        verify(str(tmp_path / "missing.json"))


@pytest.mark.urls(__name__)
def test_verify_with_keys_fetched_from_the_site(live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_certificate(tmp_path)
    assert "is authentic" in verify(str(path), "--url", live_server.url + "/")
    with pytest.raises(CommandError, match="the server answered 404"):
        verify(str(path), "--url", live_server.url + "/elsewhere")


def test_verify_refuses_a_url_that_is_not_http(tmp_path: Path) -> None:
    path = write_certificate(tmp_path)
    with pytest.raises(CommandError, match="--url must be an http"):
        verify(str(path), "--url", "file:///etc/passwd")


# --- weh keys -------------------------------------------------------------------------------


def test_keys_generate_prints_a_usable_key_and_writes_nothing(key_file: Path) -> None:
    out = StringIO()
    call_command("keys", "generate", stdout=out)
    lines = out.getvalue().splitlines()
    name, _, text = lines[0].partition("=")
    assert name == "WEH_CERTIFICATE_KEY"
    key = signing.private_key_from_text(text, source="test")
    public = certificate.public_key_bytes(key)
    assert f"# key id: {certificate.key_id(public)}" in lines
    assert f"# public key: {base64.b64encode(public).decode()}" in lines
    assert not key_file.exists()


def test_keys_generate_key_only_suits_the_key_file(settings, key_file: Path) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("keys", "generate", "--key-only", stdout=out)
    key_file.parent.mkdir(parents=True)
    key_file.write_text(out.getvalue())
    assert signing.certificate_signing_key().private_bytes_raw() == base64.b64decode(out.getvalue())


def test_keys_show_lists_the_published_keys() -> None:
    out = StringIO()
    call_command("keys", "show", stdout=out)
    current = certificate.key_id(signing.current_public_key())
    assert out.getvalue().splitlines()[0] == f"issuer: {ISSUER}"
    assert f"{current}  current" in out.getvalue()
