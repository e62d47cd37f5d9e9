"""ISO 3166 countries and subdivisions and ISO 4217 currencies, from pycountry's data."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def countries() -> tuple[tuple[str, str], ...]:
    """(alpha-2, English name) for every country, sorted by name."""
    return tuple(sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1]))


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries())


def is_country(code: str) -> bool:
    return code in _country_codes()


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def is_subdivision(code: str, country: str) -> bool:
    """True when ``code`` is an ISO 3166-2 code of ``country`` (e.g. KR-49 of KR)."""
    subdivision = pycountry.subdivisions.get(code=code)
    return subdivision is not None and subdivision.country_code == country


def is_currency(code: str) -> bool:
    return pycountry.currencies.get(alpha_3=code) is not None
