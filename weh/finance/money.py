"""Money as exact integers of a currency's minor unit, shown as Decimal with its ISO 4217 code.

Pure, no Django import. Amounts are stored as whole numbers of the currency's minor unit (cents
for EUR, yen for JPY, fils for BHD): integers are exact on every database, including in sums,
where SQLite would add decimals as binary floating point. Everywhere else (forms, the API, the
log) an amount is a ``Decimal`` written as a string with exactly the currency's decimals.

ISO 4217 gives each currency its number of minor-unit digits; pycountry, which validates the
codes, does not carry them, so the exceptions to the usual two are listed here (ISO 4217 list
one, 2024). Codes without a minor unit (gold, SDR, test codes) are not money one can commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

DEFAULT_MINOR_UNITS: Final = 2

MINOR_UNITS: Final[dict[str, int]] = {
    **dict.fromkeys(
        [
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
            "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
        ],
        0,
    ),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
    **dict.fromkeys(["CLF", "UYW"], 4),
}  # fmt: skip

NOT_MONEY: Final = frozenset(
    {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"}
)
"""ISO 4217 codes with no minor unit: precious metals, bond units, SDR, testing, no currency."""

MAX_MINOR: Final = 10**15
"""Largest single amount in minor units (ten trillion euros): sums stay far inside 64 bits."""


def minor_units(currency: str) -> int:
    """The number of decimals of ``currency`` (a valid ISO 4217 code that is money)."""
    if currency in NOT_MONEY:
        raise ValueError(f"{currency} has no minor unit: it is not a currency to pay in")
    return MINOR_UNITS.get(currency, DEFAULT_MINOR_UNITS)


class AmountError(ValueError):
    """An amount that cannot be money in its currency; ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def parse_amount(value: object) -> Decimal:
    """A finite Decimal from a Decimal, int or decimal string; AmountError otherwise.

    Floats are refused: 0.1 is not one tenth in binary, and money must be what was typed.
    """
    if isinstance(value, (bool, float)):
        raise AmountError("type", 'give the amount as a decimal string such as "1250.50"')
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise AmountError("format", f"{value!r} is not a number") from None
    else:
        raise AmountError("type", 'give the amount as a decimal string such as "1250.50"')
    if not number.is_finite():
        raise AmountError("format", f"{value!r} is not a finite number")
    return number


def to_minor(amount: Decimal, decimals: int) -> int:
    """``amount`` in minor units; AmountError when it has more decimals than the currency."""
    scaled = amount.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise AmountError("decimals", f"{amount} has more than {decimals} decimals")
    return int(scaled)


def from_minor(minor: int, decimals: int) -> Decimal:
    """The Decimal for ``minor`` minor units, with exactly ``decimals`` decimals."""
    return Decimal(minor).scaleb(-decimals).quantize(Decimal(1).scaleb(-decimals))


def amount_text(minor: int, decimals: int) -> str:
    """The amount as the API and the log write it: ``"250000.00"`` (no exponent, no grouping)."""
    return f"{from_minor(minor, decimals):f}"


@dataclass(frozen=True)
class Money:
    """An amount of one currency, held exactly as minor units."""

    minor: int
    currency: str
    decimals: int

    @property
    def amount(self) -> Decimal:
        return from_minor(self.minor, self.decimals)

    @property
    def text(self) -> str:
        """The amount without the code, e.g. ``"250000.00"``."""
        return amount_text(self.minor, self.decimals)

    def __str__(self) -> str:
        return f"{self.text} {self.currency}"

    def __add__(self, other: Money) -> Money:
        if (other.currency, other.decimals) != (self.currency, self.decimals):
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.minor + other.minor, self.currency, self.decimals)

    def __sub__(self, other: Money) -> Money:
        if (other.currency, other.decimals) != (self.currency, self.decimals):
            raise ValueError(f"cannot subtract {other.currency} from {self.currency}")
        return Money(self.minor - other.minor, self.currency, self.decimals)

    def times(self, count: int) -> Money:
        return Money(self.minor * count, self.currency, self.decimals)
