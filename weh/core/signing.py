"""The certificate signing key of this installation, and the public keys it publishes.

Where the key comes from, in order: ``WEH_CERTIFICATE_KEY`` (base64 of the 32-byte Ed25519 private
key), else the file ``WEH_CERTIFICATE_KEY_FILE`` (the same base64 text). In debug or testing, a
missing file is created with a fresh key; in production a missing key is a configuration error,
because certificates signed by a throw-away key could never be verified later.

Rotated keys keep verifying: list their public keys (base64, comma-separated) in the environment
variable ``WEH_CERTIFICATE_OLD_PUBLIC_KEYS``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from weh.core.keyfiles import create_secret_file
from weh.review import certificate

logger = logging.getLogger(__name__)

OLD_PUBLIC_KEYS_VARIABLE = "WEH_CERTIFICATE_OLD_PUBLIC_KEYS"
PRIVATE_KEY_BYTES = 32
GENERATE_HINT = (
    'Generate one with `weh keys generate` (or: python -c "import base64, os; '
    'print(base64.b64encode(os.urandom(32)).decode())")'
)


def new_private_key_text() -> str:
    """A fresh private key as base64 text, the form WEH_CERTIFICATE_KEY and the key file take."""
    raw = Ed25519PrivateKey.generate().private_bytes_raw()
    return base64.b64encode(raw).decode("ascii")


def private_key_from_text(text: str, *, source: str) -> Ed25519PrivateKey:
    """Decode base64 of a 32-byte Ed25519 private key; ``source`` names it in the error."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(
            f"{source} is not valid base64 of an Ed25519 private key. {GENERATE_HINT}"
        ) from None
    if len(raw) != PRIVATE_KEY_BYTES:
        raise ImproperlyConfigured(
            f"{source} holds {len(raw)} bytes; an Ed25519 private key has {PRIVATE_KEY_BYTES}. "
            f"{GENERATE_HINT}"
        )
    return Ed25519PrivateKey.from_private_bytes(raw)


def load_signing_key(*, key_text: str, key_file: Path, allow_generate: bool) -> Ed25519PrivateKey:
    """The signing key from ``key_text`` if set, else from ``key_file``.

    With ``allow_generate`` (debug or testing) a missing file is created with a new key;
    otherwise a missing key raises ImproperlyConfigured saying how to make one.
    """
    if key_text.strip():
        return private_key_from_text(key_text, source="WEH_CERTIFICATE_KEY")
    if key_file.is_file():
        return _read_key_file(key_file)
    if not allow_generate:
        raise ImproperlyConfigured(
            "No certificate signing key: WEH_CERTIFICATE_KEY is empty and "
            f"WEH_CERTIFICATE_KEY_FILE ({key_file}) does not exist. {GENERATE_HINT}, then set "
            "WEH_CERTIFICATE_KEY to it or write it to that file (readable by WEH only). "
            "Keep it: certificates signed with it are verified with its public key."
        )
    return _generate_key_file(key_file)


def _read_key_file(key_file: Path) -> Ed25519PrivateKey:
    try:
        text = key_file.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(
            f"Cannot read the certificate key file {key_file}: {error}"
        ) from None
    return private_key_from_text(text, source=f"The certificate key file {key_file}")


def _generate_key_file(key_file: Path) -> Ed25519PrivateKey:
    if create_secret_file(key_file, new_private_key_text() + "\n"):
        logger.warning("Generated a development certificate signing key in %s", key_file)
    return _read_key_file(key_file)


@functools.cache
def certificate_signing_key() -> Ed25519PrivateKey:
    """This installation's signing key, loaded once per process (see the module docstring)."""
    return load_signing_key(
        key_text=settings.WEH_CERTIFICATE_KEY,
        key_file=Path(settings.WEH_CERTIFICATE_KEY_FILE),
        allow_generate=settings.DEBUG or settings.TESTING,
    )


def reset_signing_key() -> None:
    """Forget the cached key, so the next use reads the settings again (tests, key rotation)."""
    certificate_signing_key.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    # override_settings in tests: a new key or key file must not meet the cached key.
    if setting in {"WEH_CERTIFICATE_KEY", "WEH_CERTIFICATE_KEY_FILE", "DEBUG", "TESTING"}:
        reset_signing_key()


def old_public_keys(value: str | None = None) -> list[bytes]:
    """Public keys of rotated signing keys, from WEH_CERTIFICATE_OLD_PUBLIC_KEYS (or ``value``).

    Comma-separated base64 of raw 32-byte Ed25519 public keys; blanks are ignored.
    """
    text = os.environ.get(OLD_PUBLIC_KEYS_VARIABLE, "") if value is None else value
    keys = []
    for position, item in enumerate((part.strip() for part in text.split(",")), start=1):
        if not item:
            continue
        try:
            raw = base64.b64decode(item, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != certificate.PUBLIC_KEY_BYTES:
            raise ImproperlyConfigured(
                f"{OLD_PUBLIC_KEYS_VARIABLE}: entry {position} is not base64 of a 32-byte "
                "Ed25519 public key (the 'public key' line printed by `weh keys generate`)."
            )
        keys.append(raw)
    return keys


def current_public_key() -> bytes:
    """The raw public key of the current signing key."""
    return certificate.public_key_bytes(certificate_signing_key())


def certificate_public_keys() -> dict[str, bytes]:
    """Every public key that verifies this installation's certificates, by key id, current first."""
    keys = {}
    for raw in [current_public_key(), *old_public_keys()]:
        keys.setdefault(certificate.key_id(raw), raw)
    return keys


def published_keys_document() -> dict[str, Any]:
    """The document served at /.well-known/weh-keys.json."""
    return certificate.keys_document(
        settings.WEH_CERTIFICATE_ISSUER,
        certificate_public_keys().values(),
        current=current_public_key(),
    )


def sign_certificate(statement: dict[str, Any]) -> dict[str, Any]:
    """Sign a recognition statement with this installation's key and issuer name."""
    return certificate.sign_statement(
        statement, certificate_signing_key(), settings.WEH_CERTIFICATE_ISSUER
    )
