"""Single sign-on through a real OpenID Connect provider (oidc-provider-mock) on loopback.

The provider runs in a thread for the whole module and only knows clients registered through its
dynamic client registration endpoint, so the redirect URI, client secret and token endpoint
authentication method that allauth uses are all checked. Chromium (Debian's, through Playwright)
drives the full authorization code flow against pytest-django's live server.
"""

from __future__ import annotations

import os
import runpy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.conf import settings as django_settings
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import Browser, Page, Route, expect

from weh.accounts.models import User

# authlib (inside the mock provider) warns about its own API on every token it signs.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

TIMEOUT_MS = 15_000

PROVIDER_ID = "mockidp"
PROVIDER_NAME = "Test IdP"
CALLBACK_PATH = f"/accounts/oidc/{PROVIDER_ID}/login/callback/"
SETTINGS_FILE = Path(django_settings.BASE_DIR) / "weh" / "settings.py"

ALICE_SUB = "alice-42"
ALICE_CLAIMS = {
    "email": "alice@example.org",
    "email_verified": True,
    "name": "Alice Example",
    "preferred_username": "alice",
}


@dataclass(frozen=True)
class Provider:
    url: str  # issuer and allauth's server_url, http://127.0.0.1:PORT


@dataclass(frozen=True)
class Client:
    client_id: str
    secret: str


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[Provider]:
    # Port 0: the kernel picks a free one; the mock binds "localhost", i.e. 127.0.0.1.
    with run_server_in_thread(port=0, require_client_registration=True) as server:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        url = f"http://{host}:{port}"
        response = requests.put(f"{url}/users/{ALICE_SUB}", json=ALICE_CLAIMS, timeout=10)
        assert response.status_code == 204, response.text
        yield Provider(url=url)


@pytest.fixture(scope="module")
def oidc_client(oidc_provider: Provider, live_server) -> Client:  # type: ignore[no-untyped-def]
    """A client registered (RFC 7591) with exactly the redirect URI allauth sends."""
    response = requests.post(
        f"{oidc_provider.url}/oauth2/clients",
        json={
            "redirect_uris": [f"{live_server.url}{CALLBACK_PATH}"],
            "token_endpoint_auth_method": "client_secret_basic",
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Client(client_id=body["client_id"], secret=body["client_secret"])


@pytest.fixture
def oidc_settings(settings, oidc_provider: Provider, oidc_client: Client) -> Provider:  # type: ignore[no-untyped-def]
    # allauth reads SOCIALACCOUNT_PROVIDERS on every request (SocialAccountAdapter.list_apps), and
    # the CSP middleware derives form-action from it, so overriding the setting is enough.
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": PROVIDER_ID,
                    "name": PROVIDER_NAME,
                    "client_id": oidc_client.client_id,
                    "secret": oidc_client.secret,
                    "settings": {
                        "server_url": oidc_provider.url,
                        "token_auth_method": "client_secret_basic",
                        "oauth_pkce_enabled": True,
                    },
                }
            ]
        }
    }
    return oidc_provider


def _loopback_only(route: Route) -> None:
    # The mock's pages link a stylesheet on a CDN; nothing may leave the machine.
    if urlsplit(route.request.url).hostname in {"127.0.0.1", "localhost"}:
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator[Callable[[], Page]]:  # type: ignore[no-untyped-def]
    """Opens pages in fresh browser contexts (no shared cookies); checks the console at the end."""
    contexts = []
    console: list[str] = []

    def _new_page() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.route("**/*", _loopback_only)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: console.append(f"{page.url}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"page error: {error}"))
        return page

    try:
        yield _new_page
    finally:
        for context in contexts:
            context.close()
    # A CSP whose form-action lacks the provider would block the redirect to it.
    assert [text for text in console if "Content Security Policy" in text] == []
    assert [text for text in console if text.startswith("page error")] == []


def _start_sign_in(page: Page, provider: Provider) -> None:
    """From WEH's login page to the provider's authorization form."""
    page.goto("/accounts/login/")
    page.get_by_role("link", name=PROVIDER_NAME).click()
    # SOCIALACCOUNT_LOGIN_ON_GET is off: allauth asks for a POST (with its CSRF token) first.
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize?**")
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()


def _sign_in(page: Page, provider: Provider, live_server, sub: str) -> None:  # type: ignore[no-untyped-def]
    _start_sign_in(page, provider)
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.browser
def test_sign_in_through_the_identity_provider_creates_then_reuses_the_user(
    new_page: Callable[[], Page], oidc_settings: Provider, live_server
) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    _sign_in(page, oidc_settings, live_server, ALICE_SUB)

    user = User.objects.get(email="alice@example.org")
    assert user.username == "alice"
    expect(page.locator("header").get_by_role("button", name="Sign out alice")).to_be_visible()
    expect(page.locator("header").get_by_role("link", name="My organisations")).to_be_visible()
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (PROVIDER_ID, ALICE_SUB)
    assert account.extra_data["userinfo"]["email"] == "alice@example.org"

    # Signing out and in again (with a browser that has no cookies) finds the same user.
    page.locator("header").get_by_role("button", name="Sign out alice").click()
    expect(page.locator("header").get_by_role("button", name="Sign in")).to_be_visible()
    again = new_page()
    _sign_in(again, oidc_settings, live_server, ALICE_SUB)
    expect(again.locator("header").get_by_role("button", name="Sign out alice")).to_be_visible()
    assert User.objects.count() == 1
    assert SocialAccount.objects.filter(provider=PROVIDER_ID, uid=ALICE_SUB).count() == 1


@pytest.mark.browser
def test_denied_authorization_signs_nobody_in(
    new_page: Callable[[], Page], oidc_settings: Provider, live_server
) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    _start_sign_in(page, oidc_settings)
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url(f"{live_server.url}{CALLBACK_PATH}?**")

    query = dict(parse_qsl(urlsplit(page.url).query))
    assert query["error"] == "access_denied"
    # oidc-provider-mock 0.3.4 leaves the state out of its error redirect, so allauth cannot tie
    # the answer to a login attempt and reports a failure rather than a cancellation.
    heading = "Login Cancelled" if "state" in query else "Third-Party Login Failure"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("header").get_by_role("button", name="Sign in")).to_be_visible()
    assert User.objects.count() == 0
    assert SocialAccount.objects.count() == 0


@pytest.mark.browser
def test_tampered_state_is_refused(
    new_page: Callable[[], Page], oidc_settings: Provider, live_server
) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    _start_sign_in(page, oidc_settings)

    # The provider issues a real code; its redirect back to WEH is altered on the way.
    def tamper(route: Route) -> None:
        response = route.fetch(max_redirects=0)
        assert response.status == 302
        parts = urlsplit(response.headers["location"])
        query = dict(parse_qsl(parts.query))
        assert query["code"]
        query["state"] = "tampered-" + query["state"]
        route.fulfill(
            status=302, headers={"Location": urlunsplit(parts._replace(query=urlencode(query)))}
        )

    page.route(f"{oidc_settings.url}/oauth2/authorize?**", tamper)
    page.get_by_placeholder("sub").fill(ALICE_SUB)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{live_server.url}{CALLBACK_PATH}?**state=tampered-*")

    expect(page.get_by_role("heading", name="Third-Party Login Failure")).to_be_visible()
    expect(page.locator("header").get_by_role("button", name="Sign in")).to_be_visible()
    assert User.objects.count() == 0
    assert SocialAccount.objects.count() == 0


def _settings_namespace(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    """weh/settings.py evaluated afresh under the given WEH_OIDC_* environment."""
    for name in list(os.environ):
        if name.startswith("WEH_OIDC_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_settings_build_the_provider_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without = _settings_namespace(monkeypatch)
    assert without["SOCIALACCOUNT_PROVIDERS"] == {"openid_connect": {"APPS": []}}

    configured = _settings_namespace(
        monkeypatch,
        WEH_OIDC_SERVER_URL="https://id.example.org/realms/weh",
        WEH_OIDC_PROVIDER_ID="corp",
        WEH_OIDC_NAME="Corporate login",
        WEH_OIDC_CLIENT_ID="weh",
        WEH_OIDC_CLIENT_SECRET="s3cret",
    )
    providers = configured["SOCIALACCOUNT_PROVIDERS"]
    assert isinstance(providers, dict)
    (app,) = providers["openid_connect"]["APPS"]
    assert app == {
        "provider_id": "corp",
        "name": "Corporate login",
        "client_id": "weh",
        "secret": "s3cret",
        "settings": {
            "server_url": "https://id.example.org/realms/weh",
            "token_auth_method": "client_secret_basic",
            "oauth_pkce_enabled": True,
        },
    }


def test_login_page_without_oidc_settings_has_no_sso_button(
    db, client, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    settings.SOCIALACCOUNT_PROVIDERS = _settings_namespace(monkeypatch)["SOCIALACCOUNT_PROVIDERS"]

    response = client.get("/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="login"' in html  # the local login form is there
    assert "/accounts/oidc/" not in html
    assert "Single sign-on" not in html
    assert response.headers["Content-Security-Policy"].endswith("form-action 'self'")


def test_login_page_with_oidc_settings_links_the_provider(
    db, client, settings, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    settings.SOCIALACCOUNT_PROVIDERS = _settings_namespace(
        monkeypatch,
        WEH_OIDC_SERVER_URL="https://id.example.org:8443/realms/weh",
        WEH_OIDC_CLIENT_ID="weh",
        WEH_OIDC_CLIENT_SECRET="s3cret",
    )["SOCIALACCOUNT_PROVIDERS"]

    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert 'href="/accounts/oidc/oidc/login/?process=login"' in html
    assert ">Single sign-on</a>" in html
    assert response.headers["Content-Security-Policy"].endswith(
        "form-action 'self' https://id.example.org:8443"
    )
