"""Serial numbers of funding units: ranges, issuing, splitting and their text form.

Pure arithmetic, no Django import, so every rule can be checked exhaustively (tests/finance uses
hypothesis). Units are numbered per issuer from 1 upwards, like carbon-registry serials: a batch
holds the inclusive range ``first … last``; a split cuts one range into two contiguous, disjoint
children that together hold exactly the parent's units; nothing is ever renumbered.

The text form is ``WEH-<ISSUER>-<VINTAGE>-<first>-<last>``, e.g. ``WEH-GEF-2026-1-250000``.
The issuer code holds only capital letters and digits, so the hyphens separate the parts without
ambiguity and the text can be parsed back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

PREFIX: Final = "WEH"
MAX_SERIAL: Final = 2**63 - 1
"""The largest serial a 64-bit signed database integer holds."""

MAX_ISSUER_CODE: Final = 12
ISSUER_CODE: Final = re.compile(r"[A-Z0-9]{1,12}")
_TEXT: Final = re.compile(r"WEH-([A-Z0-9]{1,12})-([0-9]{4})-([1-9][0-9]{0,18})-([1-9][0-9]{0,18})")


@dataclass(frozen=True, order=True)
class SerialRange:
    """The inclusive range of unit serials ``first … last`` (both at least 1)."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if not 1 <= self.first <= self.last <= MAX_SERIAL:
            raise ValueError(
                f"a serial range needs 1 <= first <= last <= {MAX_SERIAL}; "
                f"got {self.first}-{self.last}"
            )

    @property
    def size(self) -> int:
        """How many units the range holds."""
        return self.last - self.first + 1

    def __contains__(self, serial: object) -> bool:
        return isinstance(serial, int) and self.first <= serial <= self.last

    def overlaps(self, other: SerialRange) -> bool:
        return self.first <= other.last and other.first <= self.last

    def can_split_at(self, at: int) -> bool:
        """True when ``at`` can start the second part (both parts keep at least one unit)."""
        return self.first < at <= self.last

    def split_at(self, at: int) -> tuple[SerialRange, SerialRange]:
        """Cut before serial ``at``: ``first … at-1`` and ``at … last``."""
        if not self.can_split_at(at):
            raise ValueError(
                f"cannot split {self.first}-{self.last} at {at}: the second part must start "
                f"after {self.first} and no later than {self.last}"
            )
        return SerialRange(self.first, at - 1), SerialRange(at, self.last)

    def split_units(self, count: int) -> tuple[SerialRange, SerialRange]:
        """Cut after the first ``count`` units."""
        return self.split_at(self.first + count)

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


def issue(next_serial: int, count: int) -> tuple[SerialRange, int]:
    """Take ``count`` units from an issuer whose next free serial is ``next_serial``.

    Returns the issued range and the issuer's next free serial afterwards. Issuing only ever
    moves the counter forward, so the ranges an issuer hands out never overlap.
    """
    if count < 1:
        raise ValueError(f"issue at least one unit; got {count}")
    if next_serial < 1:
        raise ValueError(f"serials start at 1; the counter is at {next_serial}")
    issued = SerialRange(next_serial, next_serial + count - 1)
    return issued, issued.last + 1


def disjoint(ranges: Iterable[SerialRange]) -> bool:
    """True when no two ranges share a serial."""
    ordered = sorted(ranges)
    return all(a.last < b.first for a, b in pairwise(ordered))


def partitions(parent: SerialRange, parts: Iterable[SerialRange]) -> bool:
    """True when ``parts`` hold every serial of ``parent`` exactly once, and nothing else."""
    ordered = sorted(parts)
    if not ordered or ordered[0].first != parent.first or ordered[-1].last != parent.last:
        return False
    return all(a.last + 1 == b.first for a, b in pairwise(ordered))


def units_for(amount_minor: int, unit_value_minor: int) -> int:
    """How many units of ``unit_value_minor`` make ``amount_minor`` (both in minor units).

    Raises ValueError unless the amount is a positive whole number of units: a unit stands for
    a fixed value, so a remainder would be money that no serial accounts for.
    """
    if unit_value_minor < 1:
        raise ValueError(f"a unit is worth at least one minor unit; got {unit_value_minor}")
    if amount_minor < 1:
        raise ValueError(f"the amount must be positive; got {amount_minor}")
    count, remainder = divmod(amount_minor, unit_value_minor)
    if remainder:
        raise ValueError(
            f"{amount_minor} is not a whole number of units of {unit_value_minor} "
            f"(remainder {remainder})"
        )
    return count


def issuer_code(acronym: str, name: str) -> str:
    """A short code for an issuer: its acronym, else its name's initials, in A-Z and 0-9.

    ``"KfW"`` gives ``KFW``; ``"Gordon and Betty Moore Foundation"`` gives ``GABMF``. Letters
    with accents lose them; other scripts are dropped, leaving ``ORG`` when nothing remains.
    The caller makes it unique (see :func:`unique_code`).
    """

    def ascii_upper(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return plain.upper()

    code = re.sub(r"[^A-Z0-9]", "", ascii_upper(acronym))
    if not code:
        words = re.findall(r"[A-Z0-9]+", ascii_upper(name))
        code = "".join(word[0] for word in words)
    return (code or "ORG")[:8]


def unique_code(base: str, number: int) -> str:
    """``base`` made distinct by a number (the organisation's id), within the length limit."""
    suffix = str(number)
    return base[: MAX_ISSUER_CODE - len(suffix)] + suffix


def render(issuer: str, vintage: int, serials: SerialRange) -> str:
    """``WEH-<ISSUER>-<VINTAGE>-<first>-<last>``."""
    if not ISSUER_CODE.fullmatch(issuer):
        raise ValueError(f"issuer code {issuer!r} is not 1-12 capital letters and digits")
    if not 1000 <= vintage <= 9999:
        raise ValueError(f"vintage {vintage} is not a four-digit year")
    return f"{PREFIX}-{issuer}-{vintage}-{serials.first}-{serials.last}"


def parse(text: str) -> tuple[str, int, SerialRange]:
    """The issuer code, vintage and range of a serial text; ValueError when it is not one."""
    match = _TEXT.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a serial like WEH-GEF-2026-1-1000")
    issuer, vintage, first, last = match.groups()
    return issuer, int(vintage), SerialRange(int(first), int(last))
