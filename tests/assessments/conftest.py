from __future__ import annotations

import pytest

from tests.factories import SubjectFactory
from weh.standards.services import load_catalog


@pytest.fixture
def catalog(db):  # type: ignore[no-untyped-def]
    load_catalog()


@pytest.fixture
def jeju(catalog, organisation):  # type: ignore[no-untyped-def]
    return SubjectFactory(owner=organisation, name="Jeju", country="KR")
