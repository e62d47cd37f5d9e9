"""The log entry page verifies its entry in a real browser: leaf hash, RFC 9162 inclusion proof
and the checkpoint's Ed25519 signature, with Web Crypto; and it says so when something fails."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from weh.ledger.models import LogEntry
from weh.ledger.note import Signer
from weh.ledger.services import append_entry, publish_checkpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORIGIN = "weh.test/log"
AT = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
STEPS = ["key", "page", "leaf", "checkpoint", "signature", "size", "length", "inclusion", "latest"]


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path: Path) -> Signer:  # type: ignore[no-untyped-def]
    """A fresh log key for each test, from WEH_LOG_KEY (as in tests/ledger/test_storage.py)."""
    signer = Signer.generate(ORIGIN)
    settings.WEH_LOG_ORIGIN = ORIGIN
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    return signer


def make_log(count: int) -> list[LogEntry]:
    """``count`` entries, each in its own transaction as services append them, then signed."""
    from django.db import transaction

    entries = []
    for i in range(count):
        with transaction.atomic():
            entries.append(
                append_entry(
                    kind="recognition.granted",
                    subject=f"recognition:WEH-2025-{i + 1:04d}",
                    content={"serial": f"WEH-2025-{i + 1:04d}", "level": "gold"},
                    facts={"level": "gold", "tier": "reviewed"},
                    at=AT,
                )
            )
    publish_checkpoint()  # each commit published one already; this one finds nothing new
    assert LogEntry.objects.count() == count
    return entries


def results(page: Page) -> dict[str, str]:
    steps = page.locator("#verify-steps li")
    return {
        steps.nth(i).get_attribute("data-step") or "": steps.nth(i).get_attribute("data-result")
        or ""
        for i in range(steps.count())
    }


def step(page: Page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f'#verify-steps li[data-step="{name}"]')


def test_every_step_passes_including_the_ed25519_signature(page: Page) -> None:
    make_log(7)  # not a power of two: proofs climb the right border too
    for index in (0, 3, 6):
        page.goto(f"/log/entries/{index}/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Log entry {index}")
        verdict = page.locator("#verify-verdict")
        expect(verdict).to_have_attribute("data-result", "pass")
        expect(verdict).to_contain_text(f"Verified: entry {index} is in the log")
        assert results(page) == dict.fromkeys(STEPS, "pass")
        # Chromium has Ed25519 in Web Crypto (since 137); Debian's is newer.
        expect(step(page, "signature")).to_contain_text(
            "Signature: the checkpoint is signed by the key weh.test/log+"
        )
        expect(step(page, "leaf")).to_contain_text("✓")
        expect(step(page, "leaf")).to_contain_text("Passed:")
        expect(step(page, "length")).to_contain_text("of a tree of 7")
        expect(page.locator("#verify-steps")).to_have_attribute("aria-live", "polite")

    # The button runs it all again.
    button = page.get_by_role("button", name="Verify again")
    expect(button).to_be_enabled()
    button.click()
    expect(page.locator("#verify-verdict")).to_have_attribute("data-result", "pass")
    assert results(page) == dict.fromkeys(STEPS, "pass")


def test_a_single_entry_log_verifies(page: Page) -> None:
    make_log(1)  # an empty proof: the leaf is the root
    page.goto("/log/entries/0/")
    expect(page.locator("#verify-verdict")).to_have_attribute("data-result", "pass")
    expect(step(page, "length")).to_contain_text("0 hashes")


def test_a_tampered_entry_fails_the_leaf_hash_and_the_verdict(page: Page) -> None:
    entries = make_log(3)
    entry = LogEntry.objects.get(index=1)
    entry.text = entry.text.replace('"gold"', '"platinum"')
    entry.save(update_fields=["text"])
    assert entries[1].text != entry.text

    page.goto("/log/entries/1/")
    verdict = page.locator("#verify-verdict")
    expect(verdict).to_have_attribute("data-result", "fail")
    expect(verdict).to_contain_text("NOT verified")
    leaf = step(page, "leaf")
    expect(leaf).to_have_attribute("data-result", "fail")
    expect(leaf).to_contain_text("✗")
    expect(leaf).to_contain_text("Leaf hash mismatch")
    # The altered entry's own leaf leads elsewhere than the signed root.
    expect(step(page, "inclusion")).to_have_attribute("data-result", "fail")
    # The checkpoint itself is genuine.
    expect(step(page, "signature")).to_have_attribute("data-result", "pass")

    # The untouched entries still verify.
    page.goto("/log/entries/2/")
    expect(page.locator("#verify-verdict")).to_have_attribute("data-result", "pass")


def test_a_checkpoint_not_signed_by_the_key_on_the_page_fails(page: Page, settings) -> None:  # type: ignore[no-untyped-def]
    make_log(2)
    settings.WEH_LOG_KEY = Signer.generate(ORIGIN).skey  # the page now shows another key

    page.goto("/log/entries/1/")
    expect(page.locator("#verify-verdict")).to_have_attribute("data-result", "fail")
    expect(step(page, "key")).to_have_attribute("data-result", "pass")
    signature = step(page, "signature")
    expect(signature).to_have_attribute("data-result", "fail")
    expect(signature).to_contain_text("carries no valid signature by the key")
    # The Merkle proof still holds: only the signature is at fault.
    expect(step(page, "inclusion")).to_have_attribute("data-result", "pass")


def test_without_javascript_the_page_explains_offline_verification(
    browser: Browser,
    live_server,  # type: ignore[no-untyped-def]
    log_key: Signer,
) -> None:
    make_log(2)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/log/entries/1/")
        expect(page.get_by_text(log_key.vkey).first).to_be_visible()
        expect(page.get_by_role("button", name="Verify again")).to_be_hidden()
        expect(page.locator("#verify-steps li")).to_have_count(0)
        expect(page.get_by_text(re.compile(r"weh verify entry entry-1\.json"))).to_be_visible()
        expect(
            page.get_by_role("button", name="The entry with its inclusion proof (JSON)")
        ).to_have_attribute("href", "/api/v1/log/entries/1")
    finally:
        context.close()
