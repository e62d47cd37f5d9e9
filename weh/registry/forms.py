from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weh.accounts.models import Organisation
from weh.core.iso import countries
from weh.geo.geometry import GeometryError, measure_geometry
from weh.geo.messages import geometry_error_message
from weh.registry.models import (
    Ecosystem,
    GovernanceType,
    IucnCategory,
    SocietalChallenge,
    Subject,
    SubjectKind,
)
from weh.registry.services import KIND_FIELDS, SHARED_KIND_FIELDS

MAX_GEOMETRY_FILE_BYTES = 2 * 1024 * 1024
GEOMETRY_FILE_TYPES = (".geojson", ".json")
TRANSLATED_NAME_LANGUAGES = (("fr", _("Name in French")), ("zh", _("Name in Chinese")))


def _checked_geometry(value: Any) -> Any:
    """The parsed GeoJSON, or a field error with the registry's own message.

    The registry service checks the geometry again when it saves; checking it here as well lets
    the form report a bad shape together with the other field errors rather than only after they
    are fixed.
    """
    if value in (None, "", {}):
        return None
    if isinstance(value, dict):
        try:
            measure_geometry(value)
        except GeometryError as error:
            raise forms.ValidationError(geometry_error_message(error)) from None
    return value


def _country_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a country"))] + [
        (code, f"{name} ({code})") for code, name in countries()
    ]


class SubjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search names"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_country_choices)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *SubjectKind.choices]
    )


class SubjectForm(forms.Form):
    """Parses what a person typed; the registry service decides what is valid."""

    kind = forms.ChoiceField(label=_("Kind of subject"), choices=SubjectKind.choices)
    owner = forms.ModelChoiceField(
        label=_("Owning organisation"),
        queryset=Organisation.objects.none(),
        empty_label=_("Choose an organisation"),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    subdivision_code = forms.CharField(
        label=_("ISO 3166-2 subdivision code"),
        required=False,
        max_length=10,
        help_text=_("For example KR-49 for Jeju or CN-ZJ for Zhejiang."),
    )
    admin_level = forms.IntegerField(
        label=_("Administrative level"),
        required=False,
        min_value=1,
        max_value=6,
        help_text=_("1 = province or state, 2 = city or prefecture, 3 = county or district."),
    )
    population = forms.IntegerField(label=_("Population"), required=False, min_value=0)
    area_km2 = forms.DecimalField(
        label=_("Reported area (km²)"), required=False, min_value=0, decimal_places=3
    )
    iucn_category = forms.ChoiceField(
        label=_("IUCN management category"),
        required=False,
        choices=[("", "—"), *IucnCategory.choices],
    )
    governance_type = forms.ChoiceField(
        label=_("Governance type"), required=False, choices=[("", "—"), *GovernanceType.choices]
    )
    designation = forms.CharField(label=_("Designation"), required=False, max_length=200)
    wdpa_id = forms.IntegerField(label=_("WDPA id"), required=False, min_value=1)
    societal_challenges = forms.MultipleChoiceField(
        label=_("Societal challenges addressed"),
        required=False,
        choices=SocietalChallenge.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    ecosystems = forms.MultipleChoiceField(
        label=_("Ecosystems"),
        required=False,
        choices=Ecosystem.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    budget = forms.DecimalField(label=_("Budget"), required=False, min_value=0, decimal_places=2)
    budget_currency = forms.CharField(
        label=_("Budget currency"),
        required=False,
        max_length=3,
        help_text=_("ISO 4217 code, e.g. USD, EUR, CNY."),
    )
    geometry = forms.CharField(
        label=_("Geometry (GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_("A GeoJSON Polygon, MultiPolygon or Point in WGS 84 (longitude, latitude)."),
    )
    geometry_file = forms.FileField(
        label=_("…or upload a GeoJSON file"),
        required=False,
        help_text=_("A .geojson or .json file of at most 2 MB."),
    )

    def __init__(self, *args: Any, owners: Any, editing: Subject | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        if not self.is_bound and "owner" not in self.initial:
            # Most people register subjects for their one organisation: choose it for them.
            only = list(owners[:2])
            if len(only) == 1:
                self.initial["owner"] = only[0].pk
        for code, label in TRANSLATED_NAME_LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=label, required=False, max_length=200
            )
        if editing is not None:
            # The kind of an existing subject is fixed: its assessments depend on it.
            self.fields["kind"].disabled = True

    def clean_geometry_file(self) -> Any:
        upload = self.cleaned_data.get("geometry_file")
        if not upload:
            return None
        if not upload.name.lower().endswith(GEOMETRY_FILE_TYPES):
            raise forms.ValidationError(_("Upload a .geojson or .json file."))
        if upload.size > MAX_GEOMETRY_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            value = json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError(_("The file is not valid GeoJSON text.")) from None
        return _checked_geometry(value)

    def clean_geometry(self) -> Any:
        text = self.cleaned_data.get("geometry", "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("This is not valid JSON (%(reason)s).") % {"reason": error}
            ) from None
        return _checked_geometry(value)

    def service_values(self) -> dict[str, Any]:
        """The cleaned values in the shape the registry service takes."""
        data = self.cleaned_data
        values = {
            key: data.get(key)
            for key in (
                "name",
                "country",
                "description",
                "subdivision_code",
                "admin_level",
                "population",
                "area_km2",
                "iucn_category",
                "governance_type",
                "designation",
                "wdpa_id",
                "societal_challenges",
                "ecosystems",
                "start_date",
                "budget",
                "budget_currency",
            )
        }
        kind = data.get("kind")
        own = set(KIND_FIELDS.get(kind, ())) | set(SHARED_KIND_FIELDS)
        for other in KIND_FIELDS.values():
            for field in other:
                if field not in own:
                    values.pop(field, None)
        values["names"] = {
            code: data.get(f"name_{code}", "") for code, _label in TRANSLATED_NAME_LANGUAGES
        }
        values["geometry"] = data.get("geometry_file") or data.get("geometry")
        values["owner_id"] = data["owner"].pk if data.get("owner") else None
        return values

    @classmethod
    def initial_for(cls, subject: Subject) -> dict[str, Any]:
        initial: dict[str, Any] = {
            field: getattr(subject, field)
            for field in (
                "kind",
                "name",
                "country",
                "description",
                "subdivision_code",
                "admin_level",
                "population",
                "area_km2",
                "iucn_category",
                "governance_type",
                "designation",
                "wdpa_id",
                "societal_challenges",
                "ecosystems",
                "start_date",
                "budget",
                "budget_currency",
            )
        }
        initial["owner"] = subject.owner_id
        initial["geometry"] = json.dumps(subject.geometry) if subject.geometry else ""
        for code, _label in TRANSLATED_NAME_LANGUAGES:
            initial[f"name_{code}"] = subject.names.get(code, "")
        return initial

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            target = {"owner_id": "owner", "names": "name_fr"}.get(field, field)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)
