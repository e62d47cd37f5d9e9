"""Forms of the assessment pages. They only parse what a person sent; the services decide what is
valid, and their field errors are shown beside the fields they name."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weh.assessments.models import AssessmentStatus
from weh.core.iso import countries
from weh.standards.models import StandardVersion, in_language


class StartAssessmentForm(forms.Form):
    standard = forms.ChoiceField(label=_("Standard"), widget=forms.RadioSelect)
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("Optional, for example “2026 self-assessment”."),
    )

    def __init__(self, *args: Any, versions: list[StandardVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard"].choices = [(v.key, v.display_title) for v in versions]

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class ResponseForm(forms.Form):
    """One indicator's answer, as the workspace sends it (autosave or a plain form post)."""

    rating = forms.CharField(required=False, max_length=40)
    justification = forms.CharField(required=False, strip=False)
    not_applicable = forms.BooleanField(required=False)
    not_applicable_reason = forms.CharField(required=False, strip=False)
    version = forms.IntegerField(required=False, min_value=0)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "rating": data["rating"],
            "justification": data["justification"],
            "not_applicable": data["not_applicable"],
            "not_applicable_reason": data["not_applicable_reason"],
        }

    def posted(self) -> dict[str, Any]:
        """What was sent, to show it again beside the errors (even when it did not parse)."""
        get = self.data.get
        return {
            "rating": get("rating", ""),
            "justification": get("justification", ""),
            "not_applicable": get("not_applicable") in ("on", "true", "1", "yes"),
            "not_applicable_reason": get("not_applicable_reason", ""),
        }


class EvidenceFileForm(forms.Form):
    file = forms.FileField(
        label=_("File"), error_messages={"required": _("Choose a file to upload.")}
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)


class EvidenceLinkForm(forms.Form):
    # A plain text field: the service checks the address and explains what it accepts.
    url = forms.CharField(
        label=_("Web address"),
        max_length=1000,
        error_messages={"required": _("Give a web address starting with https:// or http://.")},
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=200)


class ContributorForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)


def _country_choices() -> list[tuple[str, str]]:
    return [("", _("All countries"))] + [(code, f"{name} ({code})") for code, name in countries()]


SORT_CHOICES = [
    ("subject", _("Subject, A to Z")),
    ("-subject", _("Subject, Z to A")),
    ("-score", _("Score, highest first")),
    ("score", _("Score, lowest first")),
    ("-updated", _("Recently updated first")),
    ("updated", _("Least recently updated first")),
]


class PortfolioFilterForm(forms.Form):
    standard = forms.ChoiceField(label=_("Standard"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *AssessmentStatus.choices],
    )
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_country_choices)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, versions: list[StandardVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        standards: dict[str, str] = {}
        outcomes: dict[str, list[str]] = {}
        for version in versions:
            standards.setdefault(version.standard_id, version.display_title)
            for outcome in version.parsed().outcomes:
                label = in_language(outcome.label)
                labels = outcomes.setdefault(outcome.code, [])
                if label not in labels:
                    labels.append(label)
        self.fields["standard"].choices = [("", _("All standards")), *standards.items()]
        self.fields["outcome"].choices = [("", _("All outcomes"))] + [
            (code, " / ".join(labels)) for code, labels in sorted(outcomes.items())
        ]


class CompareForm(forms.Form):
    other = forms.IntegerField(label=_("Compare with"), min_value=1)
