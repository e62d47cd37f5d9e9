"""Site-wide behaviour: language switch, keyboard access and the content security policy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageLog
from tests.factories import SQUARE, SubjectFactory, member
from weh.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_language_switch_changes_the_page_to_french(page: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Sign In")

    # Choosing a language submits the switch at once (no button needed with scripts on).
    with page.expect_navigation():
        page.get_by_label("Language").select_option("fr")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Connexion")
    expect(page.get_by_role("textbox", name="Identifiant")).to_be_visible()
    expect(page.locator("#language-select")).to_have_value("fr")

    # The choice is remembered on the next page.
    page.goto("/subjects/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    with page.expect_navigation():
        page.locator("#language-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/subjects/")


def test_skip_link_is_the_first_focusable_element(page: Page, live_server) -> None:  # type: ignore[no-untyped-def]
    page.goto("/subjects/")
    skip = page.get_by_role("link", name="Skip to main content")
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] < 0  # out of sight until focused

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["y"] >= 0
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/subjects/#main")
    expect(page.locator("main")).to_be_focused()
    # The next Tab lands inside the main content, past the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_pages_run_under_the_csp_without_violations(  # type: ignore[no-untyped-def]
    page: Page, live_server, sign_in, page_log: PageLog, organisation, secretary
) -> None:
    applicant = member(Role.APPLICANT, organisation)
    subject = SubjectFactory(
        owner=organisation,
        name="Hallasan National Park",
        geometry=SQUARE,
        geometry_kind="Polygon",
        geometry_area_km2=102.6,
        centroid_lon=126.55,
        centroid_lat=33.35,
        bbox=[126.5, 33.3, 126.6, 33.4],
    )
    visited = []

    def visit(url: str) -> None:
        response = page.goto(url)
        assert response is not None
        assert response.ok, url
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "style-src 'self';" in policy
        html = response.text()
        # No inline styles or inline scripts in what the server sends (JSON data blocks are fine).
        assert not re.search(r"<[^>]+\sstyle=", html), url
        assert not re.search(r"<[^>]+\son[a-z]+=", html), url
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts), url
        visited.append(url)

    for url in ("/", "/subjects/", f"/subjects/{subject.pk}/", "/organisations/"):
        visit(url)
    visit("/accounts/login/")
    sign_in(applicant.username)
    for url in ("/subjects/new/", f"/subjects/{subject.pk}/edit/", "/me/organisations/"):
        visit(url)
    visit("/me/tokens/")
    page.get_by_label("Token name").fill("CI")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_have_text(re.compile(r"^weh_"))
    # The map and the htmx search both ran; neither broke the policy.
    visit(f"/subjects/{subject.pk}/")
    expect(page.locator(".map path.leaflet-interactive")).to_have_count(1)
    visit("/subjects/")
    with page.expect_response(lambda response: "q=halla" in response.url):
        page.get_by_label("Search names").fill("halla")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    page.get_by_role("button", name=f"Sign out {applicant.username}").click()
    sign_in(secretary.username)
    visit("/audit/")
    visit(f"/organisations/{organisation.pk}/")

    assert len(visited) == 13
    assert page_log.csp_violations() == []
    assert [message.text for message in page_log.console if message.type == "error"] == []
