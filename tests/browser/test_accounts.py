"""Signing in and out with a local account, through allauth's real forms."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import fill_login_form
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_sign_out(page: Page, live_server, applicant) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Sign In")
    # Sign-up is closed by default, so the page does not send people to a closed door.
    expect(page.get_by_role("link", name="sign up")).to_have_count(0)

    fill_login_form(page, applicant.username, PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".messages")).to_have_text(
        f"Successfully signed in as {applicant.username}."
    )
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My organisations")).to_be_visible()
    expect(nav.get_by_role("button", name="Sign in")).to_have_count(0)
    page.get_by_role("link", name="My organisations").click()
    expect(page.get_by_role("cell", name="Jeju Special Self-Governing Province")).to_be_visible()
    expect(page.get_by_role("cell", name="Applicant", exact=True)).to_be_visible()

    page.get_by_role("button", name=f"Sign out {applicant.username}").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".messages")).to_have_text("You have signed out.")
    expect(nav.get_by_role("button", name="Sign in")).to_be_visible()
    expect(nav.get_by_role("link", name="My organisations")).to_have_count(0)
    # The session is really gone: a page for members sends the visitor to the login form.
    page.goto("/me/organisations/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/me/organisations/")


def test_wrong_password_shows_an_error(page: Page, live_server, applicant) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")

    fill_login_form(page, applicant.username, "not-the-password")

    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary.get_by_role("listitem")).to_have_text(
        ["The username and/or password you specified are not correct."]
    )
    expect(summary).to_be_focused()
    # What was typed as the login stays; the password does not.
    expect(page.get_by_label(re.compile(r"^Login\b"))).to_have_value(applicant.username)
    expect(page.get_by_label(re.compile(r"^Password\b"))).to_have_value("")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Sign out"))).to_have_count(0)


def test_signing_in_returns_to_the_page_asked_for(page: Page, live_server, applicant) -> None:  # type: ignore[no-untyped-def]
    page.goto("/subjects/new/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/subjects/new/")

    fill_login_form(page, applicant.username, PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/subjects/new/")
    expect(page.locator("h1")).to_have_text("Register a subject")
