"""Browser fixtures: one Debian Chromium per test session, a fresh context and page per test.

Playwright's sync API runs an event loop in the main thread; Django refuses ORM calls while a loop
runs unless told that this is deliberate, which it is here (the test thread only reads and seeds).
"""

from __future__ import annotations

import os

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

from tests.factories import PASSWORD

CHROMIUM = os.environ.get("WEH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@dataclass
class PageLog:
    """What the page said on its console and which scripts failed, for the end-of-test check."""

    console: list[ConsoleMessage] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [message.text for message in self.console]

    def csp_violations(self) -> list[str]:
        return [text for text in self.texts() if "Content Security Policy" in text]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (run `make browser`)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser: Browser, live_server, page_log: PageLog) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", page_log.console.append)
    page.on("pageerror", page_log.errors.append)
    try:
        yield page
    finally:
        context.close()
    # Every page any test opens must run under the strict CSP without violations or script errors.
    assert page_log.csp_violations() == []
    assert [str(error) for error in page_log.errors] == []


@pytest.fixture
def sign_in(page: Page):  # type: ignore[no-untyped-def]
    """Sign in through the real login form; returns the page on the home page afterwards."""

    def _sign_in(username: str, password: str = PASSWORD) -> Page:
        page.goto("/accounts/login/")
        page.get_by_label("Username or email").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()
        return page

    return _sign_in
