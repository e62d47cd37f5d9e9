"""Template helpers of the funding pages: money in the reader's number format, log links."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from weh.finance.money import Money
from weh.finance.selectors import log_entry_url

register = template.Library()


@register.filter
def money(value: Money | None) -> str:
    """``250,000.00 EUR`` (grouped and with the decimal mark of the active language)."""
    if value is None:
        return ""
    amount = number_format(
        value.amount, decimal_pos=value.decimals, use_l10n=True, force_grouping=True
    )
    return f"{amount} {value.currency}"


@register.inclusion_tag("finance/_log.html")
def log_link(record: Any) -> dict[str, Any]:
    """ "Log entry N", linked to the entry's public page with its inclusion proof."""
    index = getattr(record, "log_index", None)
    return {"index": index, "url": log_entry_url(index)}
