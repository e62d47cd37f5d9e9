from __future__ import annotations

import os

os.environ.setdefault("WEH_TESTING", "1")

import pytest
from django.core.cache import cache

pytest_plugins = ["tests.factories"]


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    # Rate-limit counters live in the cache; every test starts with none.
    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # Argon2 is the production hasher (tests/accounts checks it); tests need thousands of hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english() -> None:
    # A request in another language leaves that language active in the thread; start afresh.
    from django.utils import translation

    translation.activate("en")
