"""Browser fixtures: one Debian Chromium per test session, a fresh context and page per test.

Playwright's sync API runs an event loop in the main thread; Django refuses ORM calls while a loop
runs unless told that this is deliberate, which it is here (the test thread only seeds and reads
rows while the live server thread serves the browser).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, expect

from tests.factories import PASSWORD

TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@dataclass
class PageLog:
    """What the pages of one test wrote to the console, and the script errors they raised."""

    console: list[ConsoleMessage] = field(default_factory=list)
    errors: list[Error] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        self.console.append(message)

    def on_page_error(self, error: Error) -> None:
        self.errors.append(error)

    def texts(self) -> list[str]:
        return [message.text for message in self.console]

    def csp_violations(self) -> list[str]:
        return [text for text in self.texts() if "Content Security Policy" in text]


@pytest.fixture
def page_log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser: Browser, live_server, page_log: PageLog) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", page_log.on_console)
    page.on("pageerror", page_log.on_page_error)
    try:
        yield page
    finally:
        context.close()
    # Every page a test opens must run under the strict CSP without a violation or script error.
    assert page_log.csp_violations() == []
    assert [str(error) for error in page_log.errors] == []


def fill_login_form(page: Page, username: str, password: str) -> None:
    page.get_by_label(re.compile(r"^Login\b")).fill(username)
    page.get_by_label(re.compile(r"^Password\b")).fill(password)
    page.locator("main").get_by_role("button", name="Sign In").click()


@pytest.fixture
def sign_in(page: Page) -> Callable[[str], Page]:
    """Sign in through the real login form and wait until the page shows the signed-in user."""

    def _sign_in(username: str, password: str = PASSWORD) -> Page:
        page.goto("/accounts/login/")
        fill_login_form(page, username, password)
        expect(page.get_by_role("button", name=f"Sign out {username}")).to_be_visible()
        return page

    return _sign_in
