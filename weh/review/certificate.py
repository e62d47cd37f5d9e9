"""Recognition certificates: one recognition stated in JSON, signed with Ed25519, checkable offline.

Pure: no Django import. The Django side (``weh.core.signing``) loads the key and publishes the
public keys at ``/.well-known/weh-keys.json``.

A certificate document (format ``weh-certificate/1``)::

    {
      "format": "weh-certificate/1",
      "statement": {... see recognition_statement ...},
      "signature": {
        "alg": "Ed25519",
        "key_id": "<key_id of the public key>",
        "issuer": "<the statement's issuer>",
        "value": "<standard base64 of the 64-byte signature over canonical_json(statement)>"
      }
    }

Only the statement is signed. The members around it are checked strictly instead: a verifier
refuses unknown members, another format, another algorithm, and an issuer that differs from the
statement's, so that no byte of a canonically serialised document can change unnoticed.

The published keys document (format ``weh-keys/1``)::

    {"format": "weh-keys/1", "issuer": "weh.example.org",
     "keys": [{"alg": "Ed25519", "key_id": "…", "public_key": "<base64 of 32 bytes>",
               "status": "current"}]}
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

CERTIFICATE_FORMAT: Final = "weh-certificate/1"
KEYS_FORMAT: Final = "weh-keys/1"
ALGORITHM: Final = "Ed25519"
PUBLIC_KEY_BYTES: Final = 32
SIGNATURE_BYTES: Final = 64
# I-JSON (RFC 7493): larger integers lose precision in JavaScript and other double-based parsers,
# which would make a verifier there compute different bytes.
MAX_SAFE_INTEGER: Final = 2**53 - 1
MAX_TEXT: Final = 1000

_DOCUMENT_MEMBERS: Final = frozenset({"format", "statement", "signature"})
_SIGNATURE_MEMBERS: Final = frozenset({"alg", "key_id", "issuer", "value"})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_PERCENT = re.compile(r"(?:0|[1-9]\d{0,2})(?:\.\d{1,6})?")
_COUNTRY = re.compile(r"[A-Z]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CertificateError(ValueError):
    """Why a statement, certificate or keys document was refused.

    ``code`` is stable (``malformed``, ``unknown-format``, ``unknown-key``, ``bad-signature``,
    ``issuer-mismatch``, ``invalid-statement``, ``not-canonical``, ``invalid-keys``) so that a web
    page can show its own translated sentence; the message is for operators and logs.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- canonical JSON -------------------------------------------------------------------------


def canonical_json(value: object) -> bytes:
    """The one byte string for a JSON value: what is signed and what a verifier recomputes.

    Object keys sorted by code point, no whitespace, UTF-8 without ``\\uXXXX`` escapes (only the
    quote, the backslash and control characters are escaped, as JSON requires). Floats, NaN and
    infinities are refused because their text differs between languages: amounts and percentages
    must be strings or integers. Integers must be within ±(2**53 - 1), keys must be strings.
    Raises ``CertificateError`` (code ``not-canonical``) naming the offending path.
    """
    _check_canonical(value, "$")
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _check_canonical(value: object, path: str) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CertificateError(
                "not-canonical", f"{path}: integer {value} is beyond ±(2**53 - 1); use a string"
            )
        return
    if isinstance(value, float):
        raise CertificateError(
            "not-canonical",
            f"{path}: floating-point number {value!r} is not allowed; "
            "write amounts and percentages as strings",
        )
    if isinstance(value, str):
        _check_encodable(value, path)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_canonical(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise CertificateError(
                    "not-canonical", f"{path}: object key {key!r} is not a string"
                )
            _check_encodable(key, path)
            _check_canonical(item, f"{path}.{key}")
        return
    raise CertificateError("not-canonical", f"{path}: a {type(value).__name__} is not a JSON value")


def _check_encodable(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate has no UTF-8 form, so no signature could cover it.
        raise CertificateError(
            "not-canonical", f"{path}: text holds a lone surrogate and cannot be encoded"
        ) from None


def parse_json(data: bytes | str) -> Any:
    """Parse a received document strictly: UTF-8, no duplicate keys, no floats, NaN or Infinity.

    A duplicate key would let two readers see two different statements in the same bytes.
    Raises ``CertificateError`` (code ``malformed``) with the position of the problem.
    """
    if isinstance(data, bytes | bytearray):
        try:
            # utf-8-sig: a byte-order mark added by an editor is harmless; drop it.
            text = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CertificateError(
                "malformed", f"The document is not UTF-8 text (byte {error.start})"
            ) from None
    else:
        text = data
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_members,
            parse_float=_refuse_float,
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as error:
        raise CertificateError(
            "malformed",
            f"The document is not valid JSON: {error.msg} "
            f"(line {error.lineno}, column {error.colno})",
        ) from None
    except RecursionError:
        raise CertificateError("malformed", "The document is nested too deeply") from None


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CertificateError("malformed", f"The member {key!r} appears twice in one object")
        result[key] = value
    return result


def _refuse_float(text: str) -> Any:
    raise CertificateError(
        "malformed", f"The number {text} is not an integer; this format has no fractions"
    )


def _refuse_constant(text: str) -> Any:
    raise CertificateError("malformed", f"{text} is not valid JSON")


# --- keys -----------------------------------------------------------------------------------


def key_id(public_key_bytes: bytes) -> str:
    """The key's short name: the first 8 bytes of SHA-256 of the raw 32-byte public key, as hex.

    16 lower-case hex characters. It only selects a key; the full key still checks the signature,
    so 64 bits are plenty to tell an issuer's few keys apart.
    """
    if len(public_key_bytes) != PUBLIC_KEY_BYTES:
        raise CertificateError(
            "invalid-keys",
            f"An Ed25519 public key has {PUBLIC_KEY_BYTES} bytes, not {len(public_key_bytes)}",
        )
    return hashlib.sha256(public_key_bytes).digest()[:8].hex()


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    """The raw 32-byte public key of ``private_key``."""
    return private_key.public_key().public_bytes_raw()


def encode_base64(data: bytes) -> str:
    """Standard base64 with padding, as used for keys and signatures in these documents."""
    return base64.b64encode(data).decode("ascii")


def decode_base64(text: str, *, size: int, what: str, code: str = "malformed") -> bytes:
    """Decode standard, canonical base64 of exactly ``size`` bytes.

    Canonical: re-encoding gives the same text. Otherwise the unused low bits of the last
    character could change without changing the bytes, and the document would be malleable.
    """
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CertificateError(code, f"The {what} is not valid base64") from None
    if len(raw) != size:
        raise CertificateError(code, f"The {what} has {len(raw)} bytes; expected {size}")
    if encode_base64(raw) != text:
        raise CertificateError(code, f"The {what} is not in canonical base64")
    return raw


def keys_document(
    issuer: str, public_keys: Iterable[bytes], *, current: bytes | None = None
) -> dict[str, Any]:
    """The published keys document of ``issuer`` (format ``weh-keys/1``).

    ``public_keys`` are raw 32-byte Ed25519 public keys, the current one first unless ``current``
    names it; the others are listed as ``retired``: they no longer sign but still verify the
    certificates they signed.
    """
    _require_text(issuer, "issuer", code="invalid-keys")
    listed = list(public_keys)
    if current is not None and current not in listed:
        listed.insert(0, current)
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw in listed:
        kid = key_id(raw)
        if kid in seen:
            continue
        seen.add(kid)
        is_current = raw == current if current is not None else not entries
        entries.append(
            {
                "alg": ALGORITHM,
                "key_id": kid,
                "public_key": encode_base64(raw),
                "status": "current" if is_current else "retired",
            }
        )
    return {"format": KEYS_FORMAT, "issuer": issuer, "keys": entries}


def parse_keys_document(doc: Mapping[str, Any] | bytes | str) -> dict[str, bytes]:
    """The keys of a published keys document, by key id, each checked against its stated id.

    Unknown members are ignored so that later versions may add some; unknown algorithms are
    skipped. Raises ``CertificateError`` (code ``invalid-keys`` or ``malformed``).
    """
    parsed = parse_json(doc) if isinstance(doc, bytes | bytearray | str) else doc
    if not isinstance(parsed, Mapping):
        raise CertificateError("invalid-keys", "The keys document must be a JSON object")
    if parsed.get("format") != KEYS_FORMAT:
        raise CertificateError(
            "invalid-keys",
            f"Unknown keys document format {parsed.get('format')!r}; expected {KEYS_FORMAT!r}",
        )
    _require_text(parsed.get("issuer"), "keys document issuer", code="invalid-keys")
    entries = parsed.get("keys")
    if not isinstance(entries, list):
        raise CertificateError("invalid-keys", "The keys document has no list of 'keys'")
    keys: dict[str, bytes] = {}
    for index, entry in enumerate(entries):
        where = f"keys[{index}]"
        if not isinstance(entry, Mapping):
            raise CertificateError("invalid-keys", f"{where} is not an object")
        if entry.get("alg") != ALGORITHM:
            continue
        encoded = entry.get("public_key")
        if not isinstance(encoded, str):
            raise CertificateError("invalid-keys", f"{where} has no 'public_key' text")
        raw = decode_base64(
            encoded, size=PUBLIC_KEY_BYTES, what=f"public key of {where}", code="invalid-keys"
        )
        stated = entry.get("key_id")
        if stated != key_id(raw):
            raise CertificateError(
                "invalid-keys",
                f"{where} states key id {stated!r} but its public key has id {key_id(raw)!r}",
            )
        keys[key_id(raw)] = raw
    if not keys:
        raise CertificateError("invalid-keys", f"The keys document lists no {ALGORITHM} key")
    return keys


def keys_document_issuer(doc: Mapping[str, Any]) -> str:
    """The issuer named by an already parsed keys document."""
    return _require_text(doc.get("issuer"), "keys document issuer", code="invalid-keys")


# --- statements -----------------------------------------------------------------------------

_STATEMENT_FIELDS: Final = (
    "certificate_id",
    "registry_url",
    "subject",
    "standard",
    "tier",
    "level",
    "overall_percent",
    "criteria",
    "decision_date",
    "valid_from",
    "valid_until",
    "issuer",
    "issued_at",
)
_DATE_FIELDS: Final = ("decision_date", "valid_from", "valid_until")


def recognition_statement(**fields: Any) -> dict[str, Any]:
    """Build and check the statement of one recognition, ready for ``sign_statement``.

    Fields (all required; ``tier`` and a criterion's ``percent`` may be None):

    - ``certificate_id``: the certificate's serial, e.g. ``"WEH-2025-000123"``;
    - ``registry_url``: the http(s) page in the public registry where its current status is shown;
    - ``subject``: ``{"id", "name", "kind", "country"}``; id is text or an integer, country is
      ISO 3166-1 alpha-2;
    - ``standard``: ``{"id", "version", "title"}``;
    - ``tier``: the assurance tier code, or None when the standard has no tiers;
    - ``level``: ``{"code", "label"}``, the outcome level reached;
    - ``overall_percent``: a percentage from 0 to 100 as text (a Decimal or int is converted);
    - ``criteria``: ``[{"code", "percent"}]``, percent None for a criterion not applicable;
    - ``decision_date``, ``valid_from``, ``valid_until``: dates (``date`` or ``YYYY-MM-DD``);
    - ``issuer``: the issuing hub's name, the same as the signature's;
    - ``issued_at``: an aware datetime or ``YYYY-MM-DDTHH:MM:SSZ`` (stored in UTC, whole seconds).

    Raises ``CertificateError`` (code ``invalid-statement``) naming the first bad field.
    """
    missing = [name for name in _STATEMENT_FIELDS if name not in fields]
    if missing:
        raise _invalid(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(fields) - set(_STATEMENT_FIELDS))
    if unknown:
        raise _invalid(f"unknown field(s): {', '.join(unknown)}")
    criteria = fields["criteria"]
    if isinstance(criteria, str | bytes) or not isinstance(criteria, Iterable):
        raise _invalid("criteria must be a list of {code, percent}")
    statement = {
        "certificate_id": fields["certificate_id"],
        "registry_url": fields["registry_url"],
        "subject": _copy_object(fields["subject"], "subject"),
        "standard": _copy_object(fields["standard"], "standard"),
        "tier": fields["tier"],
        "level": _copy_object(fields["level"], "level"),
        "overall_percent": _percent_text(fields["overall_percent"], "overall_percent"),
        "criteria": [_criterion(item, index) for index, item in enumerate(criteria)],
        "decision_date": _date_text(fields["decision_date"], "decision_date"),
        "valid_from": _date_text(fields["valid_from"], "valid_from"),
        "valid_until": _date_text(fields["valid_until"], "valid_until"),
        "issuer": fields["issuer"],
        "issued_at": _timestamp_text(fields["issued_at"]),
    }
    check_statement(statement)
    return statement


def check_statement(statement: object) -> None:
    """Check that ``statement`` is a complete, well-typed recognition statement (plain JSON).

    Raises ``CertificateError`` (code ``invalid-statement``) naming the first bad field.
    """
    if not isinstance(statement, Mapping):
        raise _invalid("the statement must be a JSON object")
    _exact_members(statement, _STATEMENT_FIELDS, "statement")
    _require_text(statement["certificate_id"], "certificate_id")
    _require_url(statement["registry_url"])

    subject = statement["subject"]
    _exact_members(subject, ("id", "name", "kind", "country"), "subject")
    subject_id = subject["id"]
    if isinstance(subject_id, bool) or not isinstance(subject_id, int | str):
        raise _invalid("subject.id must be text or an integer")
    if isinstance(subject_id, str):
        _require_text(subject_id, "subject.id")
    _require_text(subject["name"], "subject.name")
    _require_text(subject["kind"], "subject.kind")
    if not isinstance(subject["country"], str) or not _COUNTRY.fullmatch(subject["country"]):
        raise _invalid("subject.country must be an ISO 3166-1 alpha-2 code such as 'KR'")

    standard = statement["standard"]
    _exact_members(standard, ("id", "version", "title"), "standard")
    for name in ("id", "version", "title"):
        _require_text(standard[name], f"standard.{name}")

    if statement["tier"] is not None:
        _require_text(statement["tier"], "tier")
    level = statement["level"]
    _exact_members(level, ("code", "label"), "level")
    _require_text(level["code"], "level.code")
    _require_text(level["label"], "level.label")

    _require_percent(statement["overall_percent"], "overall_percent")
    criteria = statement["criteria"]
    if not isinstance(criteria, list):
        raise _invalid("criteria must be a list")
    codes: set[str] = set()
    for index, criterion in enumerate(criteria):
        where = f"criteria[{index}]"
        _exact_members(criterion, ("code", "percent"), where)
        _require_text(criterion["code"], f"{where}.code")
        if criterion["code"] in codes:
            raise _invalid(f"{where}.code {criterion['code']!r} appears twice")
        codes.add(criterion["code"])
        if criterion["percent"] is not None:
            _require_percent(criterion["percent"], f"{where}.percent")

    dates = {name: _require_date(statement[name], name) for name in _DATE_FIELDS}
    if dates["valid_until"] < dates["valid_from"]:
        raise _invalid("valid_until is before valid_from")
    _require_text(statement["issuer"], "issuer")
    issued_at = statement["issued_at"]
    if not isinstance(issued_at, str) or not _TIMESTAMP.fullmatch(issued_at):
        raise _invalid("issued_at must be a UTC time written YYYY-MM-DDTHH:MM:SSZ")
    try:
        datetime.fromisoformat(issued_at)
    except ValueError:
        raise _invalid(f"issued_at {issued_at!r} is not a real time") from None
    canonical_json(statement)


def _invalid(message: str) -> CertificateError:
    return CertificateError("invalid-statement", f"Invalid statement: {message}")


def _exact_members(value: object, names: Iterable[str], where: str) -> None:
    if not isinstance(value, Mapping):
        raise _invalid(f"{where} must be an object")
    expected = set(names)
    missing = sorted(expected - set(value))
    if missing:
        raise _invalid(f"{where} lacks {', '.join(missing)}")
    unknown = sorted(str(key) for key in set(value) - expected)
    if unknown:
        raise _invalid(f"{where} has unknown member(s) {', '.join(unknown)}")


def _require_text(value: object, where: str, *, code: str = "invalid-statement") -> str:
    problem = None
    if not isinstance(value, str) or not value.strip():
        problem = "must be non-empty text"
    elif len(value) > MAX_TEXT:
        problem = f"is longer than {MAX_TEXT} characters"
    elif _CONTROL.search(value):
        problem = "holds a control character"
    if problem:
        prefix = "Invalid statement: " if code == "invalid-statement" else ""
        raise CertificateError(code, f"{prefix}{where} {problem}")
    assert isinstance(value, str)  # for mypy: every other case raised above
    return value


def _require_url(value: object) -> None:
    url = _require_text(value, "registry_url")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc or " " in url:
        raise _invalid("registry_url must be an absolute http(s) URL")


def _require_percent(value: object, where: str) -> None:
    if not isinstance(value, str) or not _PERCENT.fullmatch(value) or Decimal(value) > 100:
        raise _invalid(f"{where} must be a percentage from 0 to 100 written as text, e.g. '82.5'")


def _require_date(value: object, where: str) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _invalid(f"{where} must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _invalid(f"{where} {value!r} is not a real date") from None


def _copy_object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _invalid(f"{where} must be an object")
    return dict(value)


def _criterion(value: object, index: int) -> dict[str, Any]:
    criterion = _copy_object(value, f"criteria[{index}]")
    if criterion.get("percent") is not None:
        criterion["percent"] = _percent_text(criterion["percent"], f"criteria[{index}].percent")
    return criterion


def _percent_text(value: object, where: str) -> object:
    if isinstance(value, bool):
        raise _invalid(f"{where} must be a percentage, not a boolean")
    if isinstance(value, float):
        raise _invalid(f"{where} must not be a float; pass a Decimal or text such as '82.5'")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        # "f": never exponent notation ("1E+2"); not normalized, to keep the standard's decimals.
        # copy_abs: Decimal("-0.0") is zero, and must not be written with a sign.
        return format(value.copy_abs() if value.is_zero() else value, "f")
    return value


def _date_text(value: object, where: str) -> object:
    if isinstance(value, datetime):
        raise _invalid(f"{where} must be a date, not a date and time")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _timestamp_text(value: object) -> object:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _invalid("issued_at must be an aware datetime (with a time zone)")
        # isoformat, not strftime: "%Y" does not pad years before 1000 on every platform.
        utc = value.astimezone(UTC).replace(microsecond=0, tzinfo=None)
        return utc.isoformat() + "Z"
    return value


# --- signing and verifying ------------------------------------------------------------------


def sign_statement(
    statement: Mapping[str, Any], private_key: Ed25519PrivateKey, issuer: str
) -> dict[str, Any]:
    """Sign a checked recognition statement; returns the certificate document.

    The statement's ``issuer`` must be ``issuer``. The document's statement is a fresh copy
    parsed back from the signed bytes, so it holds exactly what was signed.
    """
    check_statement(statement)
    if statement["issuer"] != issuer:
        raise CertificateError(
            "issuer-mismatch",
            f"The statement names issuer {statement['issuer']!r} but is signed as {issuer!r}",
        )
    payload = canonical_json(statement)
    return {
        "format": CERTIFICATE_FORMAT,
        "statement": json.loads(payload),
        "signature": {
            "alg": ALGORITHM,
            "key_id": key_id(public_key_bytes(private_key)),
            "issuer": issuer,
            "value": encode_base64(private_key.sign(payload)),
        },
    }


def verify_certificate(
    document: Mapping[str, Any] | bytes | str,
    keys: Mapping[str, bytes],
    *,
    issuer: str | None = None,
) -> dict[str, Any]:
    """Check a certificate document against trusted public keys; returns its statement.

    ``document`` is the parsed document or its JSON text; ``keys`` maps key ids to raw public keys
    (see ``parse_keys_document``). When ``issuer`` is given the certificate must name it: keys
    fetched from one hub do not vouch for another hub's name. Validity dates are not compared
    with today: an expired certificate is still authentic, and the caller decides what to show.

    Raises ``CertificateError`` with a precise message: malformed document, unknown format,
    unsupported algorithm, unknown key id, issuer mismatch, bad signature or invalid statement.
    """
    parsed = parse_json(document) if isinstance(document, bytes | bytearray | str) else document
    if not isinstance(parsed, Mapping):
        raise CertificateError(
            "malformed", f"A certificate is a JSON object, not {_json_kind(parsed)}"
        )
    if "format" not in parsed:
        raise CertificateError("malformed", "The document has no 'format': not a WEH certificate")
    if parsed["format"] != CERTIFICATE_FORMAT:
        raise CertificateError(
            "unknown-format",
            f"Unknown certificate format {parsed['format']!r}; "
            f"this verifier reads {CERTIFICATE_FORMAT!r}",
        )
    _document_members(parsed, _DOCUMENT_MEMBERS, "certificate")
    signature = parsed["signature"]
    if not isinstance(signature, Mapping):
        raise CertificateError("malformed", "The certificate's 'signature' must be an object")
    _document_members(signature, _SIGNATURE_MEMBERS, "signature")
    for name in sorted(_SIGNATURE_MEMBERS):
        if not isinstance(signature[name], str):
            raise CertificateError("malformed", f"signature.{name} must be text")
    if signature["alg"] != ALGORITHM:
        raise CertificateError(
            "malformed", f"Unsupported signature algorithm {signature['alg']!r}; expected Ed25519"
        )
    if issuer is not None and signature["issuer"] != issuer:
        raise CertificateError(
            "issuer-mismatch",
            f"The certificate was issued by {signature['issuer']!r}, "
            f"but the keys are those of {issuer!r}",
        )
    kid = signature["key_id"]
    if kid not in keys:
        known = ", ".join(sorted(keys)) or "none"
        raise CertificateError(
            "unknown-key",
            f"Unknown key id {kid!r}: not among the trusted keys ({known}). "
            "The certificate was signed by another key, or the key list is out of date.",
        )
    public = keys[kid]
    if len(public) != PUBLIC_KEY_BYTES or key_id(public) != kid:
        raise CertificateError(
            "invalid-keys", f"The trusted key listed under id {kid!r} does not have that id"
        )
    value = decode_base64(signature["value"], size=SIGNATURE_BYTES, what="signature value")
    statement = parsed["statement"]
    if not isinstance(statement, Mapping):
        raise CertificateError("malformed", "The certificate's 'statement' must be an object")
    try:
        payload = canonical_json(statement)
    except CertificateError as error:
        raise CertificateError(
            "malformed", f"The statement is not canonical JSON: {error}"
        ) from None
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(value, payload)
    except InvalidSignature:
        raise CertificateError(
            "bad-signature",
            f"Bad signature: the statement does not match the signature of key {kid}. "
            "The certificate was altered after signing.",
        ) from None
    # Authentic, but still only trusted as far as it is a statement this format defines.
    check_statement(statement)
    if statement["issuer"] != signature["issuer"]:
        raise CertificateError(
            "issuer-mismatch",
            f"The signature names issuer {signature['issuer']!r}, "
            f"the statement {statement['issuer']!r}",
        )
    result: dict[str, Any] = json.loads(payload)
    return result


def _document_members(value: Mapping[str, Any], expected: frozenset[str], where: str) -> None:
    missing = sorted(expected - set(value))
    if missing:
        raise CertificateError("malformed", f"The {where} lacks {', '.join(missing)}")
    unknown = sorted(str(key) for key in set(value) - expected)
    if unknown:
        raise CertificateError(
            "malformed", f"The {where} has unexpected member(s): {', '.join(unknown)}"
        )


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"
