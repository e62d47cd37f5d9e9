"""Serial-range arithmetic and money, tested directly (no database), with generated cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weh.finance import money, serials
from weh.finance.serials import SerialRange

BIG = 10**15

ranges = st.integers(1, BIG).flatmap(
    lambda first: st.integers(first, first + BIG).map(lambda last: SerialRange(first, last))
)
splittable = ranges.filter(lambda r: r.size > 1)


@given(splittable, st.data())
def test_a_split_partitions_its_parent(parent: SerialRange, data: st.DataObject) -> None:
    at = data.draw(st.integers(parent.first + 1, parent.last))
    left, right = parent.split_at(at)
    assert left.first == parent.first
    assert right.last == parent.last
    assert left.last + 1 == right.first == at
    assert left.size + right.size == parent.size
    assert left.size >= 1
    assert right.size >= 1
    assert not left.overlaps(right)
    assert serials.partitions(parent, [right, left])
    assert serials.disjoint([left, right])


@given(splittable, st.data())
def test_splitting_again_keeps_the_partition(parent: SerialRange, data: st.DataObject) -> None:
    """Any sequence of splits leaves leaves that hold each unit of the parent exactly once."""
    leaves = [parent]
    for _ in range(data.draw(st.integers(1, 8))):
        candidates = [r for r in leaves if r.size > 1]
        if not candidates:
            break
        chosen = data.draw(st.sampled_from(candidates))
        at = data.draw(st.integers(chosen.first + 1, chosen.last))
        leaves.remove(chosen)
        leaves.extend(chosen.split_at(at))
    assert serials.partitions(parent, leaves)
    assert sum(r.size for r in leaves) == parent.size


@given(ranges, st.integers(-5, 5))
def test_split_points_outside_the_range_are_refused(r: SerialRange, offset: int) -> None:
    at = r.first + offset if offset <= 0 else r.last + offset
    assert not r.can_split_at(at)
    with pytest.raises(ValueError, match="cannot split"):
        r.split_at(at)


@given(st.lists(st.integers(1, 10**6), min_size=1, max_size=30), st.integers(1, 10**6))
def test_issuing_never_overlaps(counts: list[int], start: int) -> None:
    issued = []
    next_serial = start
    for count in counts:
        r, next_serial = serials.issue(next_serial, count)
        assert r.size == count
        issued.append(r)
    assert serials.disjoint(issued)
    assert next_serial == start + sum(counts)


@given(ranges, ranges)
def test_overlap_is_symmetric_and_matches_disjointness(a: SerialRange, b: SerialRange) -> None:
    assert a.overlaps(b) == b.overlaps(a)
    assert a.overlaps(b) != serials.disjoint([a, b])
    assert a.overlaps(b) == any(s in b for s in (a.first, a.last)) or (b.first in a and b.last in a)


@given(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12),
    st.integers(1000, 9999),
    ranges,
)
def test_serial_text_round_trips(issuer: str, vintage: int, r: SerialRange) -> None:
    text = serials.render(issuer, vintage, r)
    assert text == f"WEH-{issuer}-{vintage}-{r.first}-{r.last}"
    assert serials.parse(text) == (issuer, vintage, r)


@pytest.mark.parametrize(
    "text", ["WEH-GEF-2026-0-5", "WEH-gef-2026-1-5", "WEH-GEF-26-1-5", "WEH-GEF-2026-9-5", "GEF-1"]
)
def test_malformed_serials_are_refused(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (both messages are checked elsewhere)
        serials.parse(text)


@pytest.mark.parametrize(("first", "last"), [(0, 4), (5, 4), (-1, 1), (1, 2**63)])
def test_ranges_are_well_formed(first: int, last: int) -> None:
    with pytest.raises(ValueError, match="1 <= first <= last"):
        SerialRange(first, last)


@given(st.integers(1, BIG), st.integers(1, 10**6))
def test_units_divide_amounts_exactly(units: int, value: int) -> None:
    assert serials.units_for(units * value, value) == units
    if value > 1:
        with pytest.raises(ValueError, match="whole number of units"):
            serials.units_for(units * value + 1, value)


@pytest.mark.parametrize(
    ("acronym", "name", "code"),
    [
        ("GEF", "Global Environment Facility", "GEF"),
        ("KfW", "KfW Development Bank", "KFW"),
        ("", "Gordon and Betty Moore Foundation", "GABMF"),
        ("G.E.F.", "", "GEF"),
        ("", "Fondation Éco-Océan", "FEO"),
        ("", "国家林业和草原局", "ORG"),
        ("VERYLONGACRONYM", "", "VERYLONG"),
    ],
)
def test_issuer_codes(acronym: str, name: str, code: str) -> None:
    assert serials.issuer_code(acronym, name) == code
    assert serials.ISSUER_CODE.fullmatch(code)


def test_unique_codes_stay_within_the_limit() -> None:
    assert serials.unique_code("VERYLONG", 123456) == "VERYLO123456"
    assert serials.unique_code("GEF", 7) == "GEF7"


@given(st.integers(0, money.MAX_MINOR), st.sampled_from([0, 2, 3, 4]))
def test_minor_units_round_trip(minor: int, decimals: int) -> None:
    text = money.amount_text(minor, decimals)
    assert ("." in text) == (decimals > 0)
    assert money.to_minor(money.parse_amount(text), decimals) == minor
    assert money.from_minor(minor, decimals) == Decimal(text)


def test_currency_decimals_follow_iso_4217() -> None:
    assert [money.minor_units(c) for c in ("EUR", "USD", "JPY", "KRW", "BHD", "CLF")] == [
        2,
        2,
        0,
        0,
        3,
        4,
    ]
    with pytest.raises(ValueError, match="not a currency"):
        money.minor_units("XAU")


@pytest.mark.parametrize("value", [0.1, True, None, [1]])
def test_amounts_are_never_floats(value: object) -> None:
    with pytest.raises(money.AmountError):
        money.parse_amount(value)


def test_money_does_not_mix_currencies() -> None:
    euros = money.Money(150, "EUR", 2)
    assert str(euros + euros) == "3.00 EUR"
    assert str(euros.times(3) - euros) == "3.00 EUR"
    with pytest.raises(ValueError, match="cannot add"):
        euros + money.Money(1, "USD", 2)
