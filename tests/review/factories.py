"""Factories for recognised assessments: an Assessment in its decided state, the Decision, the
Recognition with the subject's facts copied as the service copies them, and its certificate signed
by ``weh.review.services.sign_certificate`` with the installation's key.

The standards come from the catalog: use the ``catalog`` fixture (or call ``load_catalog()``)
before building any of these.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory
import pytest
from django.utils import timezone

from tests.factories import SubjectFactory, UserFactory
from weh.assessments.models import Assessment
from weh.review import registry, services
from weh.review.models import Decision, DecisionOutcome, Recognition, RecognitionStatus
from weh.standards.models import StandardVersion
from weh.standards.services import load_catalog

DEFAULT_STANDARD = "weh-framework@1.0"

# The assessment's state that goes with each status of its recognition.
ASSESSMENT_STATE = {
    RecognitionStatus.ACTIVE: "recognised",
    RecognitionStatus.SUSPENDED: "suspended",
    RecognitionStatus.EXPIRED: "expired",
}


@pytest.fixture
def catalog(db):  # type: ignore[no-untyped-def]
    """The standards of the catalog, loaded into the test database."""
    load_catalog()


@pytest.fixture
def fresh_registry():  # type: ignore[no-untyped-def]
    """Nothing kept from another test's registry: rolled-back rows send no signal, and a body
    kept by a version string that happens to recur would be served again."""
    registry.clear_caches()
    yield
    registry.clear_caches()


def standard_version(key: str) -> StandardVersion:
    standard, _sep, version = key.partition("@")
    return StandardVersion.objects.get(standard_id=standard, version=version)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def criterion_scores(version: StandardVersion, percent: Decimal) -> list[dict[str, Any]]:
    """One score per criterion of the standard, around ``percent``, with the band it falls in
    (as the scoring engine stores them: the percentage as text)."""
    definition = version.parsed()
    step = Decimal(1).scaleb(-definition.scoring.decimals)
    scores = []
    for index, criterion in enumerate(definition.all_criteria()):
        value = min(Decimal(100), max(Decimal(0), percent + (index % 3 - 1) * 5)).quantize(step)
        band = next(b.code for b in definition.scoring.bands if value >= Decimal(b.min_percent))
        scores.append({"code": criterion.code, "percent": str(value), "band": band})
    return scores


class AssessmentFactory(factory.django.DjangoModelFactory):
    """An assessment in a decided state, with the figures the scoring engine would have kept."""

    class Meta:
        model = Assessment

    class Params:
        standard_key = DEFAULT_STANDARD

    subject = factory.SubFactory(SubjectFactory)
    standard_version = factory.LazyAttribute(lambda a: standard_version(a.standard_key))
    owner = factory.SelfAttribute("subject.owner")
    coordinator = factory.SubFactory(UserFactory)
    status = "recognised"
    overall_percent = Decimal("82.500")
    overall_count = None
    outcome = factory.LazyAttribute(lambda a: a.standard_version.parsed().outcomes[0].code)
    answered = 10
    applicable = 10
    criterion_scores = factory.LazyAttribute(
        lambda a: criterion_scores(a.standard_version, a.overall_percent or Decimal(50))
    )


class DecisionFactory(factory.django.DjangoModelFactory):
    """The secretariat's decision to recognise, with figures copied from its assessment."""

    class Meta:
        model = Decision

    assessment = factory.SubFactory(AssessmentFactory)
    outcome = DecisionOutcome.RECOGNISED
    tier = "reviewed"
    level = factory.SelfAttribute("assessment.outcome")
    overall_percent = factory.SelfAttribute("assessment.overall_percent")
    overall_count = factory.SelfAttribute("assessment.overall_count")
    criterion_scores = factory.SelfAttribute("assessment.criterion_scores")
    reasons = "Two concurring independent reviews; the evidence is complete and current."
    committee = ""
    decided_by = factory.SubFactory(UserFactory)


class RecognitionFactory(factory.django.DjangoModelFactory):
    """A recognition as ``recognise_assessment`` issues it, then signed.

    ``RecognitionFactory(subject__name="Jeju", standard_key="iucn-nbs@1.0", tier="certified",
    status="suspended", percent=Decimal("91.2"))``; the level defaults to the standard's first
    (highest) outcome.
    """

    class Meta:
        model = Recognition
        skip_postgeneration_save = True

    class Params:
        standard_key = DEFAULT_STANDARD
        percent = Decimal("82.500")
        reasons = "Two concurring independent reviews; the evidence is complete and current."
        committee = ""

    serial = factory.Sequence(lambda n: f"WEH-T{n:09d}")
    subject = factory.SubFactory(SubjectFactory, centroid_lat=33.35, centroid_lon=126.55)
    standard_version = factory.LazyAttribute(lambda r: standard_version(r.standard_key))
    tier = "reviewed"
    level = factory.LazyAttribute(lambda r: r.standard_version.parsed().outcomes[0].code)
    status = RecognitionStatus.ACTIVE
    assessment = factory.SubFactory(
        AssessmentFactory,
        subject=factory.SelfAttribute("..subject"),
        standard_version=factory.SelfAttribute("..standard_version"),
        overall_percent=factory.SelfAttribute("..percent"),
        outcome=factory.SelfAttribute("..level"),
        status=factory.LazyAttribute(lambda a: ASSESSMENT_STATE[a.factory_parent.status]),
    )
    decision = factory.SubFactory(
        DecisionFactory,
        assessment=factory.SelfAttribute("..assessment"),
        tier=factory.SelfAttribute("..tier"),
        reasons=factory.SelfAttribute("..reasons"),
        committee=factory.SelfAttribute("..committee"),
    )
    owner = factory.SelfAttribute("assessment.owner")
    standard = factory.SelfAttribute("standard_version.standard_id")
    overall_percent = factory.SelfAttribute("decision.overall_percent")
    overall_count = factory.SelfAttribute("decision.overall_count")
    criterion_scores = factory.SelfAttribute("decision.criterion_scores")
    valid_from = factory.LazyFunction(timezone.localdate)
    valid_until = factory.LazyAttribute(lambda r: _add_years(r.valid_from, 5))
    midterm_check_on = factory.LazyAttribute(lambda r: _add_years(r.valid_from, 2))
    subject_name = factory.SelfAttribute("subject.name")
    subject_kind = factory.SelfAttribute("subject.kind")
    country = factory.SelfAttribute("subject.country")
    latitude = factory.SelfAttribute("subject.centroid_lat")
    longitude = factory.SelfAttribute("subject.centroid_lon")

    @factory.post_generation
    def signed(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Sign the certificate as the service does (pass ``signed=False`` to leave it empty)."""
        if extracted is False:
            return
        self.certificate = services.sign_certificate(self)
        if create:
            self.save(update_fields=["certificate"])
