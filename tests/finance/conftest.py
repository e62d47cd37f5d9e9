"""A funder, a recipient with a recognised subject, and the people around them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import OrganisationFactory, SubjectFactory, member
from tests.review.factories import RecognitionFactory
from weh.accounts.models import Organisation, OrganisationType, User
from weh.finance import services
from weh.finance.models import Commitment, Disbursement, UnitBatch
from weh.ledger.note import Signer
from weh.registry.models import Subject
from weh.review.models import Recognition
from weh.standards.services import load_catalog


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path: Path) -> Signer:  # type: ignore[no-untyped-def]
    """A throw-away log key: checkpoints signed after commits never touch var/."""
    signer = Signer.generate(settings.WEH_LOG_ORIGIN)
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    return signer


@dataclass
class Cast:
    funder_org: Organisation
    funder: User
    recipient_org: Organisation
    applicant: User
    viewer: User
    subject: Subject
    recognition: Recognition
    other_funder: User
    outsider: User
    secretary: User


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def cast(db) -> Cast:  # type: ignore[no-untyped-def]
    load_catalog()
    funder_org = OrganisationFactory(
        name="Global Environment Facility", acronym="GEF", type=OrganisationType.FUNDER
    )
    recipient_org = OrganisationFactory(name="Demak Regency", country="ID")
    subject = SubjectFactory(owner=recipient_org, name="Building with Nature Demak", country="ID")
    recognition = RecognitionFactory(subject=subject, serial="WEH-2026-0001")
    other_org = OrganisationFactory(name="KfW", acronym="KfW", type=OrganisationType.FUNDER)
    return Cast(
        funder_org=funder_org,
        funder=member("funder", funder_org),
        recipient_org=recipient_org,
        applicant=member("applicant", recipient_org),
        viewer=member("viewer", recipient_org),
        subject=subject,
        recognition=recognition,
        other_funder=member("funder", other_org),
        outsider=member("applicant", OrganisationFactory(name="Elsewhere")),
        secretary=member(
            "secretariat", OrganisationFactory(name="WEH", type=OrganisationType.SECRETARIAT)
        ),
    )


def commit(cast: Cast, **overrides: Any) -> Commitment:
    values: dict[str, Any] = {
        "actor": cast.funder,
        "funder_id": cast.funder_org.pk,
        "subject_id": cast.subject.pk,
        "amount": "250000.00",
        "currency": "EUR",
        "purpose": "Permeable brushwood dams and mangrove restoration",
        "conditions": "Annual monitoring report",
        "starts_on": days_ago(400),
        "ends_on": days_ago(-700),
    }
    values.update(overrides)
    return services.record_commitment(**values)


def disburse(
    cast: Cast, commitment: Commitment, amount: str = "100000.00", **kw: Any
) -> Disbursement:
    return services.disburse(
        actor=kw.pop("actor", cast.funder),
        commitment_id=commitment.pk,
        amount=amount,
        disbursed_on=kw.pop("disbursed_on", days_ago(30)),
        **kw,
    )


def issued_batch(cast: Cast, amount: str = "1000.00", **kw: Any) -> UnitBatch:
    """A fresh commitment, one disbursement of ``amount``, and its batch of units."""
    commitment = commit(cast)
    disbursement = disburse(cast, commitment, amount, **kw)
    return disbursement.batches.get()


def activity(cast: Cast, name: str = "Mangrove planting 2026") -> Any:
    return services.create_activity(actor=cast.applicant, subject_id=cast.subject.pk, name=name)
