"""The log entry page /log/entries/<index>/: what it shows, and its 404 and not-yet-signed cases."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from weh.ledger.models import LogEntry
from weh.ledger.note import Signer
from weh.ledger.pages import record_link
from weh.ledger.services import append_entry, publish_checkpoint

pytestmark = pytest.mark.django_db

ORIGIN = "weh.test/log"
AT = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path: Path) -> Signer:  # type: ignore[no-untyped-def]
    """A fresh log key for each test, from WEH_LOG_KEY (as in test_storage)."""
    signer = Signer.generate(ORIGIN)
    settings.WEH_LOG_ORIGIN = ORIGIN
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    return signer


def add(kind: str, subject: str, facts: dict[str, object] | None = None) -> LogEntry:
    with transaction.atomic():
        return append_entry(
            kind=kind, subject=subject, content={"subject": subject}, facts=facts, at=AT
        )


def test_the_page_shows_the_entry_checkpoint_key_and_links(client: Client, log_key) -> None:  # type: ignore[no-untyped-def]
    add("standard.published", "standard:weh-framework@1.0")
    entry = add(
        "recognition.granted",
        "recognition:WEH-2025-0001",
        {"level": "gold", "tier": "reviewed"},
    )
    checkpoint = publish_checkpoint()
    assert checkpoint is not None

    url = reverse("ledger:entry", args=[entry.index])
    assert url == "/log/entries/1/"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()

    assert "Log entry 1" in html
    assert "recognition.granted" in html
    assert "recognition:WEH-2025-0001" in html
    assert "2025-03-04 05:06:07 UTC" in html
    assert "<dt>level</dt><dd>gold</dd>" in html
    assert "<dt>tier</dt><dd>reviewed</dd>" in html
    assert entry.content_sha256 in html
    # The entry text exactly as hashed (HTML-escaped), for the script to compare.
    assert 'id="entry-text">{&quot;content_sha256&quot;:' in html
    # The checkpoint: origin, size and root; the signed note; the verifier key.
    assert f"<code>{ORIGIN}</code>" in html
    assert "2 entries" in html
    root = base64.b64encode(bytes(checkpoint.root_hash)).decode()
    assert root in html
    assert "— weh.test/log " in html
    assert log_key.vkey in html
    # Links: the proof document, the checkpoint, the recognition.
    assert 'href="/api/v1/log/entries/1"' in html
    assert 'href="/log/checkpoint"' in html
    recognition = reverse("review:recognition", args=["WEH-2025-0001"])
    assert f'href="{recognition}"' in html
    # What verify.js reads, and the offline instructions.
    assert 'data-proof-url="/api/v1/log/entries/1"' in html
    assert 'data-checkpoint-url="/log/checkpoint"' in html
    assert f'data-vkey="{log_key.vkey}"' in html
    assert 'data-msg-signature-unsupported="Signature not checked: this browser cannot verify' in (
        html
    )
    assert 'aria-live="polite"' in html
    assert "weh verify entry entry-1.json --key" in html
    assert "weh verify log --url http://testserver/log --key" in html
    assert "curl -o entry-1.json http://testserver/api/v1/log/entries/1" in html


def test_the_script_is_a_static_file_and_nothing_inline(client: Client) -> None:
    add("test.event", "subject:1")
    publish_checkpoint()
    html = client.get("/log/entries/0/").content.decode()
    assert re.search(r'<script src="[^"]*ledger/verify\.js" defer></script>', html)
    assert re.search(r'<link rel="stylesheet" href="[^"]*ledger/verify\.css">', html)
    # Every script has a src (the CSP forbids inline code), and no element has a style.
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert " style=" not in html
    assert "<style" not in html


def test_the_proof_document_the_page_links_to_is_served(client: Client) -> None:
    add("test.event", "subject:1")
    add("test.event", "subject:2")
    publish_checkpoint()
    document = client.get("/api/v1/log/entries/1").json()
    assert document["index"] == 1
    assert document["tree_size"] == 2
    assert client.get("/log/checkpoint").status_code == 200


def test_an_unknown_index_is_a_404_page(client: Client) -> None:
    add("test.event", "subject:1")
    publish_checkpoint()
    response = client.get("/log/entries/5/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_empty_log_is_a_404_page(client: Client) -> None:
    assert client.get("/log/entries/0/").status_code == 404


def test_an_entry_not_yet_in_a_checkpoint_says_it_will_be_verifiable_soon(
    client: Client,
) -> None:
    add("test.event", "subject:1")
    publish_checkpoint()
    late = add("recognition.granted", "recognition:WEH-2025-0009", {"level": "gold"})
    response = client.get(f"/log/entries/{late.index}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "no signed checkpoint covers it yet" in html
    assert "verifiable in a few seconds" in html
    assert "The latest checkpoint has 1 entry." in html
    # Not public before a checkpoint commits to it, as for tiles and the proof API.
    assert "WEH-2025-0009" not in html
    assert late.content_sha256 not in html
    assert "verify.js" not in html
    assert response["Cache-Control"] == "no-cache"

    publish_checkpoint()
    html = client.get(f"/log/entries/{late.index}/").content.decode()
    assert "WEH-2025-0009" in html
    assert "verify.js" in html


def test_an_entry_before_any_checkpoint_is_pending_not_an_error(client: Client) -> None:
    add("test.event", "subject:1")
    response = client.get("/log/entries/0/")
    assert response.status_code == 200
    assert "The latest checkpoint has 0 entries." in response.content.decode()


def test_only_get_and_head(client: Client) -> None:
    add("test.event", "subject:1")
    publish_checkpoint()
    assert client.post("/log/entries/0/").status_code == 405
    assert client.head("/log/entries/0/").status_code == 200


def test_a_tampered_entry_text_is_shown_as_stored_without_error(client: Client) -> None:
    add("test.event", "subject:1")
    publish_checkpoint()
    LogEntry.objects.filter(index=0).update(text="not json <b>")
    response = client.get("/log/entries/0/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "not json &lt;b&gt;" in html
    assert "no public facts" in html


def test_finance_entries_link_to_their_records() -> None:
    batch = record_link("units.issued", "batch:WEH-GEF-2026-1-500", {"units": 500})
    assert batch is not None
    assert batch.url == reverse("finance:batch", args=["WEH-GEF-2026-1-500"])
    assert batch.sign_in
    commitment = record_link("disbursement.made", "subject:4", {"commitment": 7})
    assert commitment is not None
    assert commitment.url == reverse("finance:commitment", args=[7])
    programme = record_link("commitment.recorded", "commitment:9", {})
    assert programme is not None
    assert programme.url == reverse("finance:commitment", args=[9])
    summary = record_link("units.retired", "subject:4", {})
    assert summary is not None
    assert summary.url == reverse("finance:subject_summary", args=[4])
    assert not summary.sign_in
    recognition = record_link("recognition.granted", "recognition:WEH-2025-0001", {})
    assert recognition is not None
    assert not recognition.sign_in
    assert record_link("standard.published", "standard:weh-framework@1.0", {}) is None
    assert record_link("assessment.submitted", "assessment:3", {}) is None
