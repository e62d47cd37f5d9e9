from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from weh.settings import check_secret_key


def test_argon2_is_the_password_hasher() -> None:
    from weh import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    "key", ["", "insecure-development-key-do-not-use-in-production", "short", "a" * 64]
)
def test_production_refuses_insecure_keys(key: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="WEH_SECRET_KEY"):
        check_secret_key(key, debug=False, testing=False)


def test_production_accepts_a_random_key() -> None:
    check_secret_key("k3y-" + "Zx9_q" * 12, debug=False, testing=False)


def test_debug_allows_the_development_key() -> None:
    check_secret_key("insecure-x", debug=True, testing=False)


@pytest.mark.django_db
def test_pages_carry_security_headers() -> None:
    response = Client().get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_login_is_rate_limited_by_configuration() -> None:
    assert "login_failed" in settings.ACCOUNT_RATE_LIMITS
