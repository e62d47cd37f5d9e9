"""factory_boy factories and the fixtures built on them, shared by every test folder."""

from __future__ import annotations

import factory
import pytest

from weh.accounts.models import Membership, Organisation, OrganisationType, Role, User
from weh.registry.models import Subject, SubjectKind, SubjectStatus

PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    type = OrganisationType.SUBNATIONAL_GOVERNMENT
    country = "KR"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.APPLICANT


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[126.5, 33.3], [126.6, 33.3], [126.6, 33.4], [126.5, 33.4], [126.5, 33.3]]],
}


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    kind = SubjectKind.JURISDICTION
    owner = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Subject {n}")
    country = "KR"
    status = SubjectStatus.PUBLISHED
    search_text = factory.LazyAttribute(lambda s: f"{s.name} {s.country}".lower())


def member(role: str, organisation: Organisation | None = None) -> User:
    """A new user holding ``role`` in ``organisation`` (a new one when not given)."""
    membership = MembershipFactory(role=role, organisation=organisation or OrganisationFactory())
    return membership.user


@pytest.fixture
def organisation(db) -> Organisation:  # type: ignore[no-untyped-def]
    return OrganisationFactory(name="Jeju Special Self-Governing Province", country="KR")


@pytest.fixture
def secretariat_org(db) -> Organisation:  # type: ignore[no-untyped-def]
    return OrganisationFactory(
        name="WEH Secretariat", type=OrganisationType.SECRETARIAT, country="CH"
    )


@pytest.fixture
def applicant(organisation: Organisation) -> User:
    return member(Role.APPLICANT, organisation)


@pytest.fixture
def viewer(organisation: Organisation) -> User:
    return member(Role.VIEWER, organisation)


@pytest.fixture
def secretary(secretariat_org: Organisation) -> User:
    return member(Role.SECRETARIAT, secretariat_org)


@pytest.fixture
def outsider(db) -> User:  # type: ignore[no-untyped-def]
    """An applicant of another organisation."""
    return member(Role.APPLICANT, OrganisationFactory(name="Other City", country="FR"))
