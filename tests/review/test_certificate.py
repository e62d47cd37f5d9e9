"""Recognition certificates, the pure part: canonical JSON, statements, signing and verifying."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from weh.review import certificate
from weh.review.certificate import CertificateError

ISSUER = "weh.example.org"
# A fixed key, so that failures reproduce; any 32 bytes are an Ed25519 private key.
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = certificate.public_key_bytes(KEY)
KEYS = {certificate.key_id(PUBLIC): PUBLIC}


def fields(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "certificate_id": "WEH-2025-000123",
        "registry_url": "https://weh.example.org/registry/certificates/WEH-2025-000123",
        "subject": {
            "id": 42,
            "name": "Jeju Special Self-Governing Province 제주특별자치도",
            "kind": "jurisdiction",
            "country": "KR",
        },
        "standard": {"id": "weh-framework", "version": "1.0", "title": "WEH Framework"},
        "tier": "independent",
        "level": {"code": "gold", "label": "Gold"},
        "overall_percent": Decimal("82.5"),
        "criteria": [
            {"code": "C1", "percent": Decimal("90.00")},
            {"code": "C2", "percent": 75},
            {"code": "C3", "percent": None},
        ],
        "decision_date": date(2025, 3, 1),
        "valid_from": date(2025, 3, 1),
        "valid_until": date(2028, 2, 29),
        "issuer": ISSUER,
        "issued_at": datetime(2025, 3, 1, 10, 30, 15, 123456, tzinfo=UTC),
    }
    values.update(changes)
    return values


def signed(**changes: Any) -> dict[str, Any]:
    return certificate.sign_statement(
        certificate.recognition_statement(**fields(**changes)), KEY, ISSUER
    )


def error_of(document: Any, keys: dict[str, bytes] = KEYS, **kwargs: Any) -> CertificateError:
    with pytest.raises(CertificateError) as caught:
        certificate.verify_certificate(document, keys, **kwargs)
    return caught.value


# --- canonical JSON -------------------------------------------------------------------------


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_utf8() -> None:
    value = {"b": [1, True, None], "a": 'Jéju 제주 "quoted"\n', "é": {"z": 0, "y": -5}}
    assert certificate.canonical_json(value) == (
        '{"a":"Jéju 제주 \\"quoted\\"\\n","b":[1,true,null],"é":{"y":-5,"z":0}}'.encode()
    )


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-certificate.MAX_SAFE_INTEGER, certificate.MAX_SAFE_INTEGER)
    | st.text(st.characters(exclude_categories=("Cs",))),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=5), children)
    ),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_canonical_json_is_a_fixed_point_whatever_the_key_order(value: Any) -> None:
    encoded = certificate.canonical_json(value)
    assert certificate.canonical_json(json.loads(encoded)) == encoded
    if isinstance(value, dict):
        reordered = dict(reversed(list(value.items())))
        assert certificate.canonical_json(reordered) == encoded


@pytest.mark.parametrize(
    ("value", "where"),
    [
        (1.5, "$: floating-point"),
        (float("nan"), "$: floating-point"),
        (float("inf"), "$: floating-point"),
        ({"amount": [1, 0.1]}, "$.amount[1]: floating-point"),
        (2**53, "$: integer 9007199254740992"),
        ({1: "one"}, "object key 1 is not a string"),
        ("\ud800", "lone surrogate"),
        ({"when": date(2025, 1, 1)}, "$.when: a date is not a JSON value"),
    ],
)
def test_canonical_json_refuses_what_has_no_single_spelling(value: Any, where: str) -> None:
    with pytest.raises(CertificateError) as caught:
        certificate.canonical_json(value)
    assert where in str(caught.value)
    assert caught.value.code == "not-canonical"


def test_key_id_is_the_sha256_prefix_of_the_raw_public_key() -> None:
    assert certificate.key_id(PUBLIC) == hashlib.sha256(PUBLIC).hexdigest()[:16]
    with pytest.raises(CertificateError, match="32 bytes, not 31"):
        certificate.key_id(PUBLIC[:31])


# --- statements -----------------------------------------------------------------------------


def test_statement_builder_writes_numbers_and_dates_as_text() -> None:
    statement = certificate.recognition_statement(**fields())
    assert statement["overall_percent"] == "82.5"
    assert statement["criteria"] == [
        {"code": "C1", "percent": "90.00"},
        {"code": "C2", "percent": "75"},
        {"code": "C3", "percent": None},
    ]
    assert statement["valid_until"] == "2028-02-29"
    # Whole seconds, in UTC, whatever the zone given.
    assert statement["issued_at"] == "2025-03-01T10:30:15Z"
    seoul = datetime(2025, 3, 1, 19, 30, 15, tzinfo=timezone(timedelta(hours=9)))
    assert certificate.recognition_statement(**fields(issued_at=seoul))["issued_at"] == (
        "2025-03-01T10:30:15Z"
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"overall_percent": 82.5}, "overall_percent must not be a float"),
        ({"overall_percent": "101"}, "overall_percent must be a percentage from 0 to 100"),
        ({"overall_percent": "8e1"}, "overall_percent must be a percentage"),
        ({"criteria": [{"code": "C1", "percent": "50"}] * 2}, "criteria[1].code 'C1' appears"),
        ({"criteria": [{"code": "C1"}]}, "criteria[0] lacks percent"),
        ({"subject": {"id": 1, "name": "X", "kind": "pa", "country": "kor"}}, "subject.country"),
        ({"subject": {"id": True, "name": "X", "kind": "pa", "country": "KR"}}, "subject.id"),
        ({"standard": {"id": "s", "version": "1"}}, "standard lacks title"),
        ({"level": {"code": "gold", "label": "Gold", "x": 1}}, "level has unknown member(s) x"),
        ({"tier": ""}, "tier must be non-empty text"),
        ({"certificate_id": "A\nB"}, "certificate_id holds a control character"),
        ({"registry_url": "javascript:alert(1)"}, "registry_url must be an absolute http(s) URL"),
        ({"valid_until": date(2025, 2, 28)}, "valid_until is before valid_from"),
        ({"decision_date": "2025-02-30"}, "decision_date '2025-02-30' is not a real date"),
        ({"valid_from": datetime(2025, 3, 1, tzinfo=UTC)}, "valid_from must be a date, not"),
        ({"issued_at": datetime(2025, 3, 1)}, "issued_at must be an aware datetime"),
        ({"issued_at": "2025-03-01 10:00"}, "issued_at must be a UTC time"),
        ({"surplus": 1}, "unknown field(s): surplus"),
    ],
)
def test_statement_builder_names_the_bad_field(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(CertificateError) as caught:
        certificate.recognition_statement(**fields(**changes))
    assert message in str(caught.value)
    assert caught.value.code == "invalid-statement"


def test_statement_builder_lists_missing_fields() -> None:
    values = fields()
    del values["tier"], values["issuer"]
    with pytest.raises(CertificateError, match="missing field\\(s\\): tier, issuer"):
        certificate.recognition_statement(**values)


def test_tier_may_be_absent_when_the_standard_has_none() -> None:
    document = signed(tier=None)
    assert certificate.verify_certificate(document, KEYS)["tier"] is None


# --- signing and verifying ------------------------------------------------------------------


def test_signed_document_has_the_documented_shape() -> None:
    document = signed()
    assert set(document) == {"format", "statement", "signature"}
    assert document["format"] == "weh-certificate/1"
    signature = document["signature"]
    assert signature["alg"] == "Ed25519"
    assert signature["key_id"] == certificate.key_id(PUBLIC)
    assert signature["issuer"] == ISSUER
    # The signature covers exactly the canonical bytes of the statement.
    KEY.public_key().verify(
        base64.b64decode(signature["value"]), certificate.canonical_json(document["statement"])
    )
    assert certificate.verify_certificate(document, KEYS) == document["statement"]


def test_signing_refuses_a_statement_naming_another_issuer() -> None:
    statement = certificate.recognition_statement(**fields())
    with pytest.raises(CertificateError, match=r"names issuer 'weh\.example\.org' but is signed"):
        certificate.sign_statement(statement, KEY, "other.example.org")


TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40).filter(
    str.strip
)
PERCENT = st.decimals(min_value=0, max_value=100, places=2)


@st.composite
def statements(draw: st.DrawFn) -> dict[str, Any]:
    start, end = sorted([draw(st.dates()), draw(st.dates())])
    criteria = draw(
        st.lists(
            st.fixed_dictionaries({"code": TEXT, "percent": st.none() | PERCENT}),
            unique_by=lambda criterion: criterion["code"],
            max_size=6,
        )
    )
    return certificate.recognition_statement(
        certificate_id=draw(TEXT),
        registry_url="https://weh.example.org/c/"
        + draw(st.from_regex(r"[A-Za-z0-9-]{1,20}", fullmatch=True)),
        subject={
            "id": draw(st.integers(0, certificate.MAX_SAFE_INTEGER) | TEXT),
            "name": draw(TEXT),
            "kind": draw(TEXT),
            "country": draw(st.from_regex(r"[A-Z]{2}", fullmatch=True)),
        },
        standard={"id": draw(TEXT), "version": draw(TEXT), "title": draw(TEXT)},
        tier=draw(st.none() | TEXT),
        level={"code": draw(TEXT), "label": draw(TEXT)},
        overall_percent=draw(PERCENT),
        criteria=criteria,
        decision_date=draw(st.dates()),
        valid_from=start,
        valid_until=end,
        issuer=ISSUER,
        issued_at=draw(st.datetimes(timezones=st.just(UTC))),
    )


@given(statements())
def test_any_statement_signs_and_verifies(statement: dict[str, Any]) -> None:
    document = certificate.sign_statement(statement, KEY, ISSUER)
    assert certificate.verify_certificate(document, KEYS, issuer=ISSUER) == statement
    serialised = json.dumps(document, ensure_ascii=False).encode()
    assert certificate.verify_certificate(serialised, KEYS) == statement


def test_every_single_bit_flip_of_a_canonical_document_is_refused() -> None:
    data = certificate.canonical_json(signed())
    for index in range(len(data)):
        for bit in range(8):
            tampered = bytearray(data)
            tampered[index] ^= 1 << bit
            with pytest.raises(CertificateError):
                certificate.verify_certificate(bytes(tampered), KEYS, issuer=ISSUER)


@settings(max_examples=50)
@given(statements(), st.data())
def test_a_changed_byte_is_refused_or_leaves_the_statement_as_it_was(
    statement: dict[str, Any], data: st.DataObject
) -> None:
    # Pretty-printed: a byte of whitespace may change harmlessly, nothing else may.
    document = certificate.sign_statement(statement, KEY, ISSUER)
    serialised = bytearray(json.dumps(document, indent=2, ensure_ascii=False).encode())
    index = data.draw(st.integers(0, len(serialised) - 1))
    serialised[index] ^= data.draw(st.integers(1, 255))
    try:
        verified = certificate.verify_certificate(bytes(serialised), KEYS, issuer=ISSUER)
    except CertificateError:
        return
    assert verified == statement


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("subject", "name"), "Jeju Special Self-Governing Province 제주특별자치도!"),
        (("level", "code"), "platinum"),
        (("overall_percent",), "92.5"),
        (("valid_until",), "2030-02-28"),
        (("criteria", 2, "percent"), "10"),
        (("subject", "id"), 43),
    ],
)
def test_a_changed_statement_value_fails_with_bad_signature(
    path: tuple[str | int, ...], value: Any
) -> None:
    document = signed()
    target: Any = document["statement"]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    error = error_of(document)
    assert error.code == "bad-signature"
    assert "altered after signing" in str(error)


def test_unknown_key_id_is_named() -> None:
    other = certificate.public_key_bytes(Ed25519PrivateKey.generate())
    error = error_of(signed(), {certificate.key_id(other): other})
    assert error.code == "unknown-key"
    assert f"Unknown key id {certificate.key_id(PUBLIC)!r}" in str(error)
    assert certificate.key_id(other) in str(error)


def test_a_document_signed_by_another_issuers_key_fails() -> None:
    # Another hub's key, re-labelled with our key id: the id matches but the key is not ours.
    impostor = Ed25519PrivateKey.generate()
    document = certificate.sign_statement(
        certificate.recognition_statement(**fields()), impostor, ISSUER
    )
    document["signature"]["key_id"] = certificate.key_id(PUBLIC)
    assert error_of(document).code == "bad-signature"
    # A key list whose key does not have the id it is listed under is refused outright.
    forged = {certificate.key_id(PUBLIC): certificate.public_key_bytes(impostor)}
    assert error_of(signed(), forged).code == "invalid-keys"


def test_issuer_must_match_the_keys_and_the_statement() -> None:
    error = error_of(signed(), issuer="other.example.org")
    assert error.code == "issuer-mismatch"
    assert "issued by 'weh.example.org'" in str(error)
    document = signed()
    document["signature"]["issuer"] = "other.example.org"
    assert error_of(document).code == "issuer-mismatch"


def _without(member: str) -> dict[str, Any]:
    document = signed()
    del document[member]
    return document


def _changed(change: Any) -> dict[str, Any]:
    document = signed()
    change(document)
    return document


def _text_changed(old: str, new: str) -> bytes:
    text = json.dumps(signed(), ensure_ascii=False)
    assert old in text
    return text.replace(old, new, 1).encode()


_SIGNATURE = signed()["signature"]["value"]


@pytest.mark.parametrize(
    ("document", "code", "message"),
    [
        (b"{not json", "malformed", "not valid JSON: Expecting property name"),
        (b"\xff\xfe{}", "malformed", "not UTF-8 text (byte 0)"),
        (b"[]", "malformed", "a JSON object, not a list"),
        (b'"text"', "malformed", "a JSON object, not text"),
        (_without("format"), "malformed", "no 'format': not a WEH certificate"),
        (_without("signature"), "malformed", "certificate lacks signature"),
        (
            _changed(lambda d: d.update(format="weh-certificate/2")),
            "unknown-format",
            "Unknown certificate format 'weh-certificate/2'",
        ),
        (_changed(lambda d: d.update(note="hi")), "malformed", "unexpected member(s): note"),
        (_changed(lambda d: d.update(signature="abc")), "malformed", "'signature' must be an"),
        (_changed(lambda d: d.update(statement=[])), "malformed", "'statement' must be an"),
        (
            _changed(lambda d: d["signature"].update(alg="RS256")),
            "malformed",
            "Unsupported signature algorithm 'RS256'",
        ),
        (
            _changed(lambda d: d["signature"].pop("key_id")),
            "malformed",
            "signature lacks key_id",
        ),
        (
            _changed(lambda d: d["signature"].update(value=_SIGNATURE[:-4])),
            "malformed",
            "signature value has 63 bytes; expected 64",
        ),
        (
            _changed(lambda d: d["signature"].update(value="%%%")),
            "malformed",
            "signature value is not valid base64",
        ),
        (
            _changed(lambda d: d["statement"].update(overall_percent=82.5)),
            "malformed",
            "$.overall_percent: floating-point",
        ),
        (_text_changed('"tier": ', '"tier": "x", "tier": '), "malformed", "'tier' appears twice"),
        (_text_changed('"id": 42', '"id": 42.0'), "malformed", "42.0 is not an integer"),
        (_text_changed('"id": 42', '"id": NaN'), "malformed", "NaN is not valid JSON"),
    ],
)
def test_malformed_documents_get_precise_messages(document: Any, code: str, message: str) -> None:
    error = error_of(document)
    assert error.code == code
    assert message in str(error)


def test_base64_with_changed_padding_bits_is_not_canonical() -> None:
    # Find a last character whose unused low bits differ but which decodes to the same bytes.
    value = signed()["signature"]["value"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(value[-3])
    twin = value[:-3] + alphabet[last ^ 1] + "=="
    assert base64.b64decode(twin) == base64.b64decode(value)
    document = signed()
    document["signature"]["value"] = twin
    assert "not in canonical base64" in str(error_of(document))


def test_a_statement_outside_the_format_fails_after_the_signature_checks() -> None:
    # Signed, but not a recognition statement: authentic bytes, still refused.
    statement = {"hello": "world"}
    document = {
        "format": "weh-certificate/1",
        "statement": statement,
        "signature": {
            "alg": "Ed25519",
            "key_id": certificate.key_id(PUBLIC),
            "issuer": ISSUER,
            "value": certificate.encode_base64(KEY.sign(certificate.canonical_json(statement))),
        },
    }
    error = error_of(document)
    assert error.code == "invalid-statement"
    assert "statement lacks" in str(error)


def test_verifying_does_not_hand_back_the_callers_objects() -> None:
    document = signed()
    original = copy.deepcopy(document)
    verified = certificate.verify_certificate(document, KEYS)
    verified["subject"]["name"] = "changed"
    assert document == original


# --- keys documents -------------------------------------------------------------------------


def test_keys_document_round_trip_marks_the_current_key() -> None:
    old = certificate.public_key_bytes(Ed25519PrivateKey.generate())
    document = certificate.keys_document(ISSUER, [old, PUBLIC, old], current=PUBLIC)
    assert document["format"] == "weh-keys/1"
    assert document["issuer"] == ISSUER
    assert [(k["key_id"], k["status"]) for k in document["keys"]] == [
        (certificate.key_id(old), "retired"),
        (certificate.key_id(PUBLIC), "current"),
    ]
    parsed = certificate.parse_keys_document(json.dumps(document).encode())
    assert parsed == {certificate.key_id(old): old, certificate.key_id(PUBLIC): PUBLIC}
    assert certificate.keys_document_issuer(document) == ISSUER


def test_keys_document_skips_unknown_algorithms_and_ignores_new_members() -> None:
    document = certificate.keys_document(ISSUER, [PUBLIC])
    document["keys"].append({"alg": "ML-DSA-65", "key_id": "x", "public_key": "…"})
    document["keys"][0]["not_after"] = "2030-01-01"
    assert certificate.parse_keys_document(document) == KEYS


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="jwks"), "Unknown keys document format 'jwks'"),
        (lambda d: d.update(keys={}), "no list of 'keys'"),
        (lambda d: d.update(keys=[]), "lists no Ed25519 key"),
        (lambda d: d.update(issuer=""), "issuer must be non-empty text"),
        (lambda d: d["keys"][0].update(key_id="0" * 16), "states key id '0000000000000000'"),
        (lambda d: d["keys"][0].update(public_key="AAAA"), "keys[0] has 3 bytes; expected 32"),
    ],
)
def test_bad_keys_documents_are_refused(change: Any, message: str) -> None:
    document = certificate.keys_document(ISSUER, [PUBLIC])
    change(document)
    with pytest.raises(CertificateError) as caught:
        certificate.parse_keys_document(document)
    assert caught.value.code == "invalid-keys"
    assert message in str(caught.value)
