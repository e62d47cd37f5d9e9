from __future__ import annotations

import os

os.environ.setdefault("WEH_TESTING", "1")

import pytest
from django.core.cache import cache
from django.db import connections

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


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """One Chromium per test process, shared by every browser test (Playwright allows one)."""
    from tests.chromium import chromium

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
    # (and the database flush after each test) are synchronous on purpose.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with chromium() as launched:
            yield launched
            # While the loop still runs: the connections the tests opened under it are kept
            # per async context, where nothing else would close them, and PostgreSQL refuses
            # to drop a test database someone is still connected to.
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
