"""Forms of the funding pages. They only parse what a person sent; the services decide what is
valid, and their field errors are put back beside the fields they name.

Amounts are text fields on purpose: the service reads them as Decimal with the currency's
decimals and explains what is wrong in the words of money, not of number inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weh.accounts.models import Organisation
from weh.finance.models import Activity, SpendingCategory
from weh.finance.selectors import Improvement
from weh.registry.models import Subject
from weh.review.models import Recognition

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT_HELP = _("A number with at most the currency's decimals, e.g. 250000.00.")


class ServiceForm(forms.Form):
    """A form that shows the service's field errors next to its fields."""

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def _optional_id(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


class CommitmentForm(ServiceForm):
    funder = forms.ChoiceField(label=_("Funder"))
    subject = forms.ChoiceField(
        label=_("Subject"),
        required=False,
        help_text=_("The subject the money is for; leave empty for a programme."),
    )
    programme = forms.CharField(
        label=_("Programme"),
        required=False,
        max_length=200,
        help_text=_("A named programme, e.g. “GEF-8 Coastal Resilience”."),
    )
    amount = forms.CharField(label=_("Amount"), max_length=40, help_text=AMOUNT_HELP)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, help_text=_("ISO 4217 code, e.g. EUR, USD, KES.")
    )
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("Period starts"), widget=DATE)
    ends_on = forms.DateField(label=_("Period ends"), widget=DATE)

    def __init__(
        self,
        *args: Any,
        funders: Iterable[Organisation],
        subjects: Iterable[Subject],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].choices = [(o.pk, o.name) for o in funders]
        self.fields["subject"].choices = [("", _("— a programme, no single subject —"))] + [
            (s.pk, f"{s.name} ({s.country})") for s in subjects
        ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "funder_id": int(data["funder"]),
            "subject_id": _optional_id(data["subject"]),
            "programme": data["programme"],
            "amount": data["amount"],
            "currency": data["currency"],
            "purpose": data["purpose"],
            "conditions": data["conditions"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
        }


class DisbursementForm(ServiceForm):
    amount = forms.CharField(label=_("Amount"), max_length=40, help_text=AMOUNT_HELP)
    disbursed_on = forms.DateField(label=_("Disbursed on"), widget=DATE)
    unit_value = forms.CharField(
        label=_("Value of one unit"),
        required=False,
        max_length=40,
        help_text=_("Each unit issued stands for this much; default 1 of the currency."),
    )
    reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)


class SplitForm(ServiceForm):
    at = forms.IntegerField(
        label=_("Second part starts at serial"),
        help_text=_("The first part keeps the serials before it."),
    )


class AllocateForm(ServiceForm):
    activity = forms.ChoiceField(label=_("Activity"))

    def __init__(self, *args: Any, activities: Iterable[Activity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [
            (a.pk, f"{a.name} — {a.subject.name}") for a in activities
        ]

    def values(self) -> dict[str, Any]:
        return {"activity_id": int(self.cleaned_data["activity"])}


class RetireForm(ServiceForm):
    outcome = forms.ChoiceField(label=_("Verified outcome"))

    def __init__(
        self,
        *args: Any,
        recognitions: Iterable[Recognition],
        improvements: Iterable[Improvement],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [
            (
                f"recognition:{r.serial}",
                str(_("Recognition %(serial)s (%(standard)s, %(level)s)"))
                % {"serial": r.serial, "standard": r.standard, "level": r.level},
            )
            for r in recognitions
        ]
        choices += [
            (
                f"score:{i.baseline.pk}:{i.improved.pk}",
                str(_("Score %(before)s %% → %(after)s %% (%(standard)s)"))
                % {"before": i.before, "after": i.after, "standard": i.standard},
            )
            for i in improvements
        ]
        self.fields["outcome"].choices = choices

    def values(self) -> dict[str, Any]:
        kind, _sep, rest = self.cleaned_data["outcome"].partition(":")
        if kind == "recognition":
            return {"recognition": rest}
        baseline, _sep, improved = rest.partition(":")
        return {"baseline_id": int(baseline), "improved_id": int(improved)}


class ActivityForm(ServiceForm):
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("e.g. “Mangrove planting 2026”.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class SpendingForm(ServiceForm):
    subject = forms.ChoiceField(label=_("Recipient subject"), required=False)
    amount = forms.CharField(label=_("Amount"), max_length=40, help_text=AMOUNT_HELP)
    spent_on = forms.DateField(label=_("Spent on"), widget=DATE)
    category = forms.ChoiceField(label=_("Category"), choices=SpendingCategory.choices)
    description = forms.CharField(
        label=_("What was paid for"), widget=forms.Textarea(attrs={"rows": 3})
    )
    activity = forms.ChoiceField(label=_("Activity"), required=False)

    def __init__(
        self,
        *args: Any,
        subjects: Iterable[Subject],
        activities: Iterable[Activity],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        subjects = list(subjects)
        if len(subjects) <= 1:
            del self.fields["subject"]
        else:
            self.fields["subject"].choices = [(s.pk, s.name) for s in subjects]
        self.fields["activity"].choices = [("", _("— none in particular —"))] + [
            (a.pk, f"{a.name} — {a.subject.name}") for a in activities
        ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "subject_id": _optional_id(data.get("subject")),
            "amount": data["amount"],
            "spent_on": data["spent_on"],
            "category": data["category"],
            "description": data["description"],
            "activity_id": _optional_id(data["activity"]),
        }
