"""The log's signing key: which note key signs checkpoints, and the verifier key it publishes.

Where the key comes from, in order: ``WEH_LOG_KEY`` (a signer key string
``PRIVATE+KEY+<origin>+<key id>+<base64>``, as printed by ``weh log generate-key``), else the file
``WEH_LOG_KEY_FILE`` holding the same string. In debug or testing a missing file is created with a
fresh key; in production a missing key is a configuration error, because checkpoints signed by a
throw-away key could never be checked by anyone who saved the old verifier key.

The key's name must be the log's origin (``WEH_LOG_ORIGIN``), as C2SP tlog-checkpoint asks: a
verifier then needs only the verifier key string to know which log it is checking.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from weh.core.keyfiles import create_secret_file
from weh.ledger.note import ALG_ED25519, NoteError, Signer, Verifier

logger = logging.getLogger(__name__)

GENERATE_HINT = "Generate one with `weh log generate-key`"


def new_signer_key(origin: str) -> str:
    """A fresh signer key string for the log ``origin`` (secret: it holds the private key)."""
    return Signer.generate(origin).skey


def signer_from_text(text: str, *, origin: str, source: str) -> Signer:
    """Parse a signer key string and check it suits the log ``origin``; ``source`` names it."""
    try:
        signer = Signer.from_skey(text.strip())
    except NoteError as error:
        raise ImproperlyConfigured(
            f"{source} is not a valid note signer key ({error}). {GENERATE_HINT}."
        ) from None
    if signer.alg != ALG_ED25519:
        raise ImproperlyConfigured(
            f"{source} is a cosigner (witness) key; the log signs with a plain Ed25519 note key. "
            f"{GENERATE_HINT}."
        )
    if signer.name != origin:
        raise ImproperlyConfigured(
            f"{source} is the key of {signer.name!r}, but WEH_LOG_ORIGIN is {origin!r}: a log's "
            "key is named after its origin. Set WEH_LOG_ORIGIN back, or generate a key for the "
            f"new origin with `weh log generate-key` (a new origin starts a new log)."
        )
    return signer


def load_log_signer(*, key_text: str, key_file: Path, origin: str, allow_generate: bool) -> Signer:
    """The log signer from ``key_text`` if set, else from ``key_file``.

    With ``allow_generate`` (debug or testing) a missing file is created with a new key;
    otherwise a missing key raises ImproperlyConfigured saying how to make one.
    """
    if key_text.strip():
        return signer_from_text(key_text, origin=origin, source="WEH_LOG_KEY")
    if key_file.is_file():
        return _read_key_file(key_file, origin)
    if not allow_generate:
        raise ImproperlyConfigured(
            "No transparency log signing key: WEH_LOG_KEY is empty and WEH_LOG_KEY_FILE "
            f"({key_file}) does not exist. {GENERATE_HINT} (it prints WEH_LOG_KEY=… and the "
            "public verifier key), then set WEH_LOG_KEY to it or write the key to that file "
            "(readable by WEH only). Keep it for the life of the log: verifiers trust its "
            "public key, and checkpoints are never signed by another."
        )
    return _generate_key_file(key_file, origin)


def _read_key_file(key_file: Path, origin: str) -> Signer:
    try:
        text = key_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"Cannot read the log key file {key_file}: {error}") from None
    return signer_from_text(text, origin=origin, source=f"The log key file {key_file}")


def _generate_key_file(key_file: Path, origin: str) -> Signer:
    if create_secret_file(key_file, new_signer_key(origin) + "\n"):
        logger.warning("Generated a development transparency log key in %s", key_file)
    return _read_key_file(key_file, origin)


@functools.cache
def log_signer() -> Signer:
    """This installation's log key, loaded once per process (see the module docstring)."""
    return load_log_signer(
        key_text=settings.WEH_LOG_KEY,
        key_file=Path(settings.WEH_LOG_KEY_FILE),
        origin=settings.WEH_LOG_ORIGIN,
        allow_generate=settings.DEBUG or settings.TESTING,
    )


def log_verifier() -> Verifier:
    """The public key that verifies this log's checkpoints."""
    return log_signer().verifier


def reset_log_key() -> None:
    """Forget the cached key, so the next use reads the settings again (tests)."""
    log_signer.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    # override_settings in tests: a new key, key file or origin must not meet the cached key.
    if setting in {"WEH_LOG_KEY", "WEH_LOG_KEY_FILE", "WEH_LOG_ORIGIN", "DEBUG", "TESTING"}:
        reset_log_key()
