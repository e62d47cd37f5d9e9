"""The demo data set: realistic, coherent, and loaded through the services."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from weh.accounts.models import Membership, Organisation, Role, User
from weh.core.models import AuditEntry
from weh.demo.load import read_demo_data
from weh.registry.models import Subject, SubjectKind, SubjectStatus

pytestmark = pytest.mark.django_db


def test_demo_loads_a_coherent_registry() -> None:
    call_command("demo")
    assert Organisation.objects.count() >= 30
    assert Subject.objects.count() >= 60
    assert Subject.objects.values("country").distinct().count() >= 15
    for kind in SubjectKind.values:
        assert Subject.objects.filter(kind=kind).count() >= 10
    assert Subject.objects.filter(status=SubjectStatus.DRAFT).exists()
    assert Subject.objects.exclude(geometry=None).filter(geometry_area_km2__gt=0).count() >= 20
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.filter(is_staff=True).count() >= 1
    # Every subject went through the registry service, so each has its audit entry.
    assert AuditEntry.objects.filter(target_type="registry.subject", action="create").count() == (
        Subject.objects.count()
    )


def test_demo_passwords_are_documented() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for user in read_demo_data()["users"]:
        assert user["password"] in readme
    assert read_demo_data()["users"][0]["username"] in readme


def test_demo_if_empty_does_not_load_twice() -> None:
    call_command("demo")
    count = Subject.objects.count()
    call_command("demo", "--if-empty")
    assert Subject.objects.count() == count
