"""A funder follows its money in a real browser: a commitment, a disbursement issued as serial-
numbered units, a split, an activity, an allocation and a retirement against the recipient's
recognition, each step recorded in the transparency log and verified on the log's entry page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from tests.factories import OrganisationFactory, SubjectFactory, member
from tests.review.factories import RecognitionFactory
from weh.accounts.models import OrganisationType, Role
from weh.finance.models import Commitment
from weh.ledger.models import LogEntry
from weh.ledger.note import Signer
from weh.standards.services import load_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ORIGIN = "weh.test/log"
STEPS = ["key", "page", "leaf", "checkpoint", "signature", "size", "length", "inclusion", "latest"]
FUNDER = "Global Environment Facility"
SUBJECT = "Building with Nature Demak"
PURPOSE = "Permeable brushwood dams and mangrove restoration along the Demak coast."
CONDITIONS = "Annual monitoring report on sediment trapping."
ACTIVITY = "Mangrove planting 2026"


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path: Path) -> Signer:  # type: ignore[no-untyped-def]
    """A fresh log key, so the checkpoints signed after each commit never touch var/."""
    signer = Signer.generate(ORIGIN)
    settings.WEH_LOG_ORIGIN = ORIGIN
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    return signer


def fact(page: Page, term: str) -> Locator:
    """The value beside ``term`` in the page's facts list."""
    return page.locator("dl.facts > dt", has_text=re.compile(f"^{re.escape(term)}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


def flash(page: Page, pattern: str) -> re.Match[str]:
    """Wait for the success message matching ``pattern`` and return its match."""
    message = page.locator(".messages .message-success")
    expect(message).to_have_text(re.compile(pattern))
    found = re.search(pattern, message.inner_text())
    assert found is not None
    return found


def named_from(text: str) -> re.Pattern[str]:
    """An accessible name that begins with ``text`` (a row is named by all its cells)."""
    return re.compile(rf"^{re.escape(text)}\s")


def cells(row: Locator) -> Locator:
    return row.locator("th, td")


def log_link(scope: Locator, index: int) -> Locator:
    return scope.get_by_title(f"Recorded in the public log at index {index}", exact=True)


def expect_verified_entry(page: Page, index: int, kind: str) -> None:
    """The entry page is for ``index``, of type ``kind``, and Web Crypto passed every check."""
    expect(page).to_have_url(re.compile(f"/log/entries/{index}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Log entry {index}")
    expect(fact(page, "Type")).to_have_text(kind)
    verdict = page.locator("#verify-verdict")
    expect(verdict).to_have_attribute("data-result", "pass")
    expect(verdict).to_contain_text(f"Verified: entry {index} is in the log")
    steps = page.locator("#verify-steps li")
    expect(steps).to_have_count(len(STEPS))
    for name in STEPS:
        step = page.locator(f'#verify-steps li[data-step="{name}"]')
        expect(step).to_have_attribute("data-result", "pass")
        expect(step).to_contain_text("✓")
    expect(page.locator('#verify-steps li[data-step="signature"]')).to_contain_text(
        f"Signature: the checkpoint is signed by the key {ORIGIN}+"
    )


def fill_commitment(page: Page, amount: str, currency: str, starts: date, ends: date) -> None:
    page.get_by_label("Amount").fill(amount)
    page.get_by_label("Currency").fill(currency)
    page.get_by_label("Purpose").fill(PURPOSE)
    page.get_by_label("Conditions").fill(CONDITIONS)
    page.get_by_label("Period starts").fill(f"{starts:%Y-%m-%d}")
    page.get_by_label("Period ends").fill(f"{ends:%Y-%m-%d}")
    page.get_by_role("button", name="Record the commitment").click()


def test_a_funder_follows_its_money_to_a_recognition(page: Page, sign_in) -> None:  # type: ignore[no-untyped-def]
    load_catalog()
    funder_org = OrganisationFactory(
        name=FUNDER, acronym="GEF", type=OrganisationType.FUNDER, country="US"
    )
    funder = member(Role.FUNDER, funder_org)
    owner = OrganisationFactory(name="Demak Regency", country="ID")
    subject = SubjectFactory(owner=owner, name=SUBJECT, country="ID")
    recognition = RecognitionFactory(subject=subject, serial="WEH-2026-0001")
    today = timezone.localdate()
    starts, ends = today - timedelta(days=30), today + timedelta(days=700)
    year = today.year

    sign_in(funder.username)
    page.goto("/funding/")
    expect(page.get_by_text("Your organisations have recorded no commitment yet.")).to_be_visible()
    page.get_by_role("button", name="Record a commitment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a commitment")

    # A negative amount in an unknown currency: errors beside both fields, and nothing recorded.
    log_size = LogEntry.objects.count()
    page.get_by_label("Subject").select_option(label=f"{SUBJECT} (ID)")
    fill_commitment(page, "-250000.00", "ZZZ", starts, ends)
    expect(page.locator("#error-summary")).to_contain_text("There is a problem")
    expect(page.locator("#id_amount_error")).to_have_text("The amount must be more than zero.")
    expect(page.locator("#id_currency_error")).to_contain_text(
        "“ZZZ” is not an ISO 4217 currency code"
    )
    # The error is tied to its field, so a screen reader reads it with the field.
    expect(page.get_by_label("Amount")).to_have_accessible_description(
        re.compile("The amount must be more than zero")
    )
    expect(page.get_by_label("Purpose")).to_have_value(PURPOSE)
    assert Commitment.objects.count() == 0
    assert LogEntry.objects.count() == log_size

    # 1. The commitment, corrected and recorded.
    fill_commitment(page, "250000.00", "EUR", starts, ends)
    commitment_index = int(
        flash(page, r"The commitment was recorded in the public log at index (\d+)\.").group(1)
    )
    expect(page).to_have_url(re.compile(r"/funding/commitments/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{FUNDER} → {SUBJECT}")
    expect(fact(page, "Funder")).to_have_text(FUNDER)
    expect(fact(page, "Recipient")).to_have_text(SUBJECT)
    expect(fact(page, "Amount")).to_have_text("250,000.00 EUR")
    expect(fact(page, "Period")).to_have_text(f"{starts:%Y-%m-%d} \N{EN DASH} {ends:%Y-%m-%d}")
    expect(fact(page, "Purpose")).to_have_text(PURPOSE)
    expect(fact(page, "Conditions")).to_have_text(CONDITIONS)
    expect(log_link(fact(page, "Public log"), commitment_index)).to_have_text(
        f"log entry {commitment_index}"
    )
    expect(page.get_by_text("Nothing has been disbursed yet.")).to_be_visible()
    commitment_url = page.url

    # 2. A disbursement, issued at once as 1000 units of 100.00 EUR.
    page.get_by_role("button", name="Disburse").click()
    expect(
        page.get_by_text("250,000.00 EUR of 250,000.00 EUR remains to be disbursed.")
    ).to_be_visible()
    page.get_by_label("Amount").fill("100000.00")
    page.get_by_label("Disbursed on").fill(f"{today:%Y-%m-%d}")
    page.get_by_label("Value of one unit").fill("100.00")
    page.get_by_label("Payment reference").fill("GEF-8/CR/ID-014-T1")
    page.get_by_role("button", name="Record the disbursement").click()
    issued = flash(
        page,
        r"The disbursement was recorded \(log index (\d+)\) and issued as units "
        rf"(WEH-GEF-{year}-1-1000) \(log index (\d+)\)\.",
    )
    disbursement_index, serial = int(issued.group(1)), issued.group(2)
    expect(page).to_have_url(commitment_url)
    disbursement = page.locator("article").filter(
        has=page.get_by_role("heading", name=f"Disbursement of 100,000.00 EUR on {today:%Y-%m-%d}")
    )
    expect(disbursement).to_contain_text("One unit stands for 100.00 EUR.")
    expect(disbursement).to_contain_text("Payment reference: GEF-8/CR/ID-014-T1")
    expect(cells(disbursement.get_by_role("row", name=named_from(serial)))).to_contain_text(
        [serial, "1000", "100,000.00 EUR", "Issued", "—", "—"]
    )
    expect(cells(page.get_by_role("row", name=re.compile(r"^Disbursed\s")))).to_have_text(
        ["Disbursed", "100,000.00 EUR", "1000"]
    )

    # 3. The batch page: its serial range; an activity named from there; a split, then the
    # first part allocated to the activity and retired against the recognition.
    disbursement.get_by_role("link", name=serial).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Units {serial}")
    expect(fact(page, "Serials")).to_have_text("1 to 1000: 1000 units")
    expect(fact(page, "Value")).to_have_text("100,000.00 EUR (100.00 EUR each)")
    expect(fact(page, "State")).to_have_text("Issued")
    allocate = page.locator("form#allocate")
    expect(allocate).to_contain_text("No activity can receive these units yet.")
    allocate.get_by_role("link", name="Add an activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Add an activity of {SUBJECT}")
    page.get_by_label("Name").fill(ACTIVITY)
    page.get_by_label("Description").fill("Rhizophora seedlings behind the sediment traps.")
    page.get_by_role("button", name="Add the activity").click()
    flash(page, f"The activity “{ACTIVITY}” was added.")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Units {serial}")

    page.get_by_label("Second part starts at serial").fill("601")
    page.get_by_role("button", name="Split the batch").click()
    part, rest = f"WEH-GEF-{year}-1-600", f"WEH-GEF-{year}-601-1000"
    flash(page, f"The batch was split into {part} and {rest}.")
    expect(fact(page, "State")).to_have_text("Split")
    page.locator("section", has=page.get_by_role("heading", name="Split", exact=True)).get_by_role(
        "link", name=part
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Units {part}")
    expect(fact(page, "Serials")).to_have_text("1 to 600: 600 units")

    page.get_by_label("Activity").select_option(label=f"{ACTIVITY} — {SUBJECT}")
    page.get_by_role("button", name="Allocate the units").click()
    flash(page, rf"The units were allocated to “{ACTIVITY}” \(log index \d+\)\.")
    expect(fact(page, "State")).to_have_text("Allocated")
    allocation = page.locator(
        "section", has=page.get_by_role("heading", name="Allocation", exact=True)
    )
    expect(allocation).to_contain_text(f"Allocated to “{ACTIVITY}” of {SUBJECT}")

    outcome = f"Recognition {recognition.serial} ({recognition.standard}, {recognition.level})"
    page.get_by_label("Verified outcome").select_option(label=outcome)
    page.get_by_role("button", name="Retire the units").click()
    retirement_index = int(
        flash(
            page,
            rf"The units were retired against recognition {recognition.serial} "
            r"\(log index (\d+)\)\.",
        ).group(1)
    )
    expect(fact(page, "State")).to_have_text("Retired")
    retired = page.locator(
        "section", has=page.get_by_role("heading", name="Retirement", exact=True)
    )
    expect(retired).to_contain_text(
        f"Retired on {today:%Y-%m-%d} against the recognition {recognition.serial}."
    )
    expect(page.get_by_role("heading", name="Move these units")).to_have_count(0)

    # 4. The trace: money → units → activity → recognition, with the totals.
    page.goto(commitment_url)
    row = disbursement.get_by_role("row", name=named_from(part))
    expect(cells(row)).to_contain_text(
        [f"part of {serial}", "600", "60,000.00 EUR", "Retired", ACTIVITY, recognition.serial]
    )
    expect(row.get_by_role("link", name=f"Recognition {recognition.serial}")).to_have_attribute(
        "href", f"/recognitions/{recognition.serial}/"
    )
    expect(disbursement.get_by_role("row", name=named_from(rest))).to_contain_text("Issued")
    expect(disbursement.get_by_role("row", name=named_from(serial))).to_contain_text(
        "at serial 601"
    )
    expect(cells(page.get_by_role("row", name=named_from(ACTIVITY)))).to_have_text(
        [ACTIVITY, SUBJECT, "600", "60,000.00 EUR", "600"]
    )
    for total in ("Allocated to activities", "Retired against verified outcomes"):
        expect(cells(page.get_by_role("row", name=total))).to_have_text(
            [total, "60,000.00 EUR", "600"]
        )
    expect(log_link(row, retirement_index)).to_be_visible()

    # 5. The disbursement's log entry verifies in the browser; so does the retirement's.
    log_link(disbursement.locator("p").first, disbursement_index).click()
    expect_verified_entry(page, disbursement_index, "disbursement.made")
    expect(fact(page, "Summary")).to_contain_text("100000.00")
    page.go_back()
    log_link(row, retirement_index).click()
    expect_verified_entry(page, retirement_index, "units.retired")
    expect(fact(page, "Summary")).to_contain_text(f"recognition:{recognition.serial}")

    # The funding page lists the one commitment: the refused form recorded nothing.
    page.goto("/funding/")
    given = page.locator("section", has=page.get_by_role("heading", name="Commitments of your"))
    expect(given.locator("tbody tr")).to_have_count(1)
    expect(cells(given.locator("tbody tr"))).to_contain_text(
        [FUNDER, SUBJECT, "250,000.00 EUR", f"{starts:%Y-%m-%d}", f"log entry {commitment_index}"]
    )
