"""API token format: ``weh_<prefix>_<secret>``. The prefix finds the row; the secret is hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

TOKEN_PREFIX = "weh"  # noqa: S105 - a public marker, not a secret
_ALPHABET = string.ascii_lowercase + string.digits


def new_token() -> tuple[str, str, str]:
    """(full token shown once, prefix stored in clear, SHA-256 hex of the secret)."""
    prefix = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    secret = secrets.token_urlsafe(32)
    return f"{TOKEN_PREFIX}_{prefix}_{secret}", prefix, hash_secret(secret)


def hash_secret(secret: str) -> str:
    # The secret has 256 bits of entropy, so a fast hash is enough; no salt or stretching needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
