"""Writes on subjects: create, update, publish, withdraw, delete.

Each function validates, authorises, writes in one transaction and records the audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from weh.accounts.models import Organisation, User
from weh.core import audit, policy
from weh.core.errors import Conflict, PermissionDenied, ValidationFailed
from weh.core.iso import is_country, is_currency, is_subdivision
from weh.core.permissions import get_for, grants_for
from weh.geo.geometry import GeometryError, measure_geometry
from weh.geo.messages import geometry_error_message
from weh.registry.models import (
    Ecosystem,
    GovernanceType,
    IucnCategory,
    SocietalChallenge,
    Subject,
    SubjectKind,
    SubjectStatus,
)

COMMON_FIELDS = ("name", "names", "description", "country", "geometry")
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    SubjectKind.JURISDICTION: ("subdivision_code", "admin_level", "population", "area_km2"),
    SubjectKind.PROTECTED_AREA: ("iucn_category", "governance_type", "designation", "wdpa_id"),
    SubjectKind.NBS_INTERVENTION: (
        "societal_challenges",
        "ecosystems",
        "start_date",
        "budget",
        "budget_currency",
    ),
}
# Reported area is meaningful for every kind of subject, so it is not tied to jurisdictions alone.
SHARED_KIND_FIELDS = ("area_km2",)
EDITABLE_FIELDS = frozenset(
    COMMON_FIELDS + tuple(f for fields in KIND_FIELDS.values() for f in fields) + ("owner_id",)
)
EMPTY: dict[str, Any] = {
    "subdivision_code": "",
    "admin_level": None,
    "population": None,
    "area_km2": None,
    "iucn_category": "",
    "governance_type": "",
    "designation": "",
    "wdpa_id": None,
    "societal_challenges": [],
    "ecosystems": [],
    "start_date": None,
    "budget": None,
    "budget_currency": "",
    "description": "",
    "names": {},
    "geometry": None,
}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


class _Errors(dict[str, list[str]]):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _choices_text(values: list[str]) -> str:
    return ", ".join(values)


def _int(errors: _Errors, field: str, value: Any, *, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors.add(field, _("Enter a whole number."))
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.add(field, _("Enter a whole number."))
        return None
    if isinstance(value, float) and value != number:
        errors.add(field, _("Enter a whole number."))
        return None
    if not low <= number <= high:
        errors.add(
            field, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
        return None
    return number


def _decimal(errors: _Errors, field: str, value: Any, *, places: int) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors.add(field, _("Enter a number."))
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add(field, _("Enter a number."))
        return None
    if not number.is_finite() or number < 0:
        errors.add(field, _("Enter a number that is zero or more."))
        return None
    if number >= Decimal(10) ** 12:
        errors.add(field, _("This number is too large."))
        return None
    return number.quantize(Decimal(1).scaleb(-places))


def _code_list(errors: _Errors, field: str, value: Any, allowed: list[str]) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors.add(field, _("Give a list of codes."))
        return []
    unknown = [v for v in value if v not in allowed]
    if unknown:
        errors.add(
            field,
            _("Unknown codes: %(unknown)s. Choose from: %(choices)s.")
            % {"unknown": ", ".join(unknown), "choices": _choices_text(allowed)},
        )
        return []
    return sorted(set(value), key=allowed.index)


def _clean(kind: str, values: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """Check and normalise every field of a subject of ``kind``; collect errors per field."""
    clean: dict[str, Any] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors.add("name", _("Enter the subject's name."))
    elif len(name) > 200:
        errors.add("name", _("Use at most 200 characters."))
    clean["name"] = name
    names = values.get("names") or {}
    if not isinstance(names, Mapping):
        errors.add("names", _("Give names as an object mapping a language code to a name."))
        names = {}
    clean_names: dict[str, str] = {}
    for code, text in names.items():
        code_text = str(code).strip().lower()
        if not _LANGUAGE_CODE.match(code_text):
            errors.add(
                "names", _("'%(code)s' is not a language code (e.g. fr, zh).") % {"code": code}
            )
        elif not isinstance(text, str) or len(text.strip()) > 200:
            errors.add("names", _("Each name is text of at most 200 characters."))
        elif text.strip():
            clean_names[code_text] = text.strip()
    clean["names"] = clean_names
    clean["description"] = str(values.get("description") or "").strip()
    country = str(values.get("country") or "").strip().upper()
    if not is_country(country):
        errors.add(
            "country",
            _("'%(code)s' is not an ISO 3166-1 alpha-2 country code (e.g. KR, FR, CN).")
            % {"code": values.get("country") or ""},
        )
    clean["country"] = country

    own_fields = set(KIND_FIELDS[kind]) | set(SHARED_KIND_FIELDS)
    for other_kind, fields in KIND_FIELDS.items():
        for field in fields:
            if field in own_fields or field not in values:
                continue
            if values[field] not in (None, "", [], {}):
                errors.add(
                    field,
                    _("This field applies only to subjects of kind '%(kind)s'.")
                    % {"kind": SubjectKind(other_kind).label},
                )
    for field in EMPTY:
        if field not in COMMON_FIELDS:
            clean[field] = EMPTY[field]

    clean["area_km2"] = _decimal(errors, "area_km2", values.get("area_km2"), places=3)
    if kind == SubjectKind.JURISDICTION:
        code = str(values.get("subdivision_code") or "").strip().upper()
        if code and country and not is_subdivision(code, country):
            errors.add(
                "subdivision_code",
                _("'%(code)s' is not an ISO 3166-2 subdivision of %(country)s.")
                % {"code": code, "country": country},
            )
        clean["subdivision_code"] = code
        clean["admin_level"] = _int(errors, "admin_level", values.get("admin_level"), low=1, high=6)
        clean["population"] = _int(
            errors, "population", values.get("population"), low=0, high=10**10
        )
    elif kind == SubjectKind.PROTECTED_AREA:
        category = values.get("iucn_category") or ""
        if category not in ["", *IucnCategory.values]:
            errors.add(
                "iucn_category",
                _("Choose one of: %(choices)s.") % {"choices": _choices_text(IucnCategory.values)},
            )
        clean["iucn_category"] = category
        governance = values.get("governance_type") or ""
        if governance not in ["", *GovernanceType.values]:
            errors.add(
                "governance_type",
                _("Choose one of: %(choices)s.")
                % {"choices": _choices_text(GovernanceType.values)},
            )
        clean["governance_type"] = governance
        designation = str(values.get("designation") or "").strip()
        if len(designation) > 200:
            errors.add("designation", _("Use at most 200 characters."))
        clean["designation"] = designation
        clean["wdpa_id"] = _int(errors, "wdpa_id", values.get("wdpa_id"), low=1, high=10**12)
    else:
        clean["societal_challenges"] = _code_list(
            errors,
            "societal_challenges",
            values.get("societal_challenges"),
            list(SocietalChallenge.values),
        )
        clean["ecosystems"] = _code_list(
            errors, "ecosystems", values.get("ecosystems"), list(Ecosystem.values)
        )
        start = values.get("start_date")
        if isinstance(start, str) and start:
            try:
                start = date.fromisoformat(start)
            except ValueError:
                errors.add("start_date", _("Enter a date as YYYY-MM-DD."))
                start = None
        elif start is not None and start != "" and not isinstance(start, date):
            errors.add("start_date", _("Enter a date as YYYY-MM-DD."))
            start = None
        clean["start_date"] = start or None
        clean["budget"] = _decimal(errors, "budget", values.get("budget"), places=2)
        currency = str(values.get("budget_currency") or "").strip().upper()
        if currency and not is_currency(currency):
            errors.add(
                "budget_currency",
                _("'%(code)s' is not an ISO 4217 currency code (e.g. USD, EUR, CNY).")
                % {"code": currency},
            )
        if clean["budget"] is not None and not currency:
            errors.add("budget_currency", _("Give the currency of the budget."))
        clean["budget_currency"] = currency

    clean.update(_clean_geometry(values.get("geometry"), errors))
    return clean


def _clean_geometry(value: Any, errors: _Errors) -> dict[str, Any]:
    empty = {
        "geometry": None,
        "geometry_kind": "",
        "geometry_area_km2": None,
        "centroid_lon": None,
        "centroid_lat": None,
        "bbox": None,
    }
    if value in (None, "", {}):
        return empty
    if not isinstance(value, Mapping):
        errors.add("geometry", _("Give the geometry as a GeoJSON object."))
        return empty
    try:
        measured = measure_geometry(value)
    except GeometryError as error:
        errors.add("geometry", geometry_error_message(error))
        return empty
    return {
        "geometry": measured.geojson,
        "geometry_kind": measured.kind,
        "geometry_area_km2": measured.area_km2,
        "centroid_lon": measured.centroid[0],
        "centroid_lat": measured.centroid[1],
        "bbox": list(measured.bbox),
    }


def _search_text(clean: Mapping[str, Any]) -> str:
    parts = [clean["name"], *clean["names"].values(), clean.get("designation") or ""]
    parts += [clean.get("subdivision_code") or "", clean["country"]]
    return " ".join(p for p in parts if p).lower()


def _owner_for_add(actor: User, owner_id: Any, errors: _Errors) -> Organisation | None:
    try:
        owner_pk = int(owner_id)
    except (TypeError, ValueError):
        errors.add("owner_id", _("Choose the organisation that owns the subject."))
        return None
    owner = Organisation.objects.filter(pk=owner_pk).first()
    if owner is None:
        errors.add("owner_id", _("No organisation has the id %(id)s.") % {"id": owner_id})
        return None
    if not grants_for(actor).allows(policy.SUBJECT_ADD, owner.pk):
        raise PermissionDenied(
            _("You cannot register subjects for %(organisation)s.") % {"organisation": owner}
        )
    return owner


@transaction.atomic
def create_subject(*, actor: User, values: Mapping[str, Any]) -> Subject:
    """Register a new subject as a draft of the owning organisation."""
    if not grants_for(actor).allows(policy.SUBJECT_ADD):
        raise PermissionDenied(_("You have no organisation in which you can register subjects."))
    unknown = set(values) - EDITABLE_FIELDS - {"kind"}
    errors = _Errors({key: [_("Unknown field.")] for key in sorted(unknown)})
    kind = values.get("kind")
    if kind not in SubjectKind.values:
        errors.add(
            "kind",
            _("Choose one of: %(choices)s.") % {"choices": _choices_text(SubjectKind.values)},
        )
        raise ValidationFailed(errors)
    owner = _owner_for_add(actor, values.get("owner_id"), errors)
    clean = _clean(kind, dict(values), errors)
    if errors:
        raise ValidationFailed(errors)
    subject = Subject.objects.create(
        kind=kind, owner=owner, created_by=actor, search_text=_search_text(clean), **clean
    )
    audit.record(actor=actor, action="create", target=subject, after=audit.snapshot(subject))
    return subject


@transaction.atomic
def update_subject(*, actor: User, subject_id: int, values: Mapping[str, Any]) -> Subject:
    """Change some fields of a subject; the others keep their values."""
    subject = get_for(
        Subject.objects.select_for_update(),
        actor,
        policy.SUBJECT_CHANGE,
        view_permission=policy.SUBJECT_VIEW,
        pk=subject_id,
    )
    errors = _Errors()
    for key in sorted(set(values) - EDITABLE_FIELDS):
        errors.add(key, _("This field cannot be changed."))
    if "owner_id" in values and values["owner_id"] != subject.owner_id:
        new_owner = _owner_for_add(actor, values["owner_id"], errors)
        if new_owner is not None:
            subject.owner = new_owner
    before = audit.snapshot(subject)
    current = {field: getattr(subject, field) for field in COMMON_FIELDS}
    current.update({field: getattr(subject, field) for field in KIND_FIELDS[subject.kind]})
    current.update({k: v for k, v in values.items() if k != "owner_id"})
    clean = _clean(subject.kind, current, errors)
    if errors:
        raise ValidationFailed(errors)
    for field, value in clean.items():
        setattr(subject, field, value)
    subject.search_text = _search_text(clean)
    subject.save()
    audit.record(
        actor=actor, action="update", target=subject, before=before, after=audit.snapshot(subject)
    )
    return subject


def _set_status(*, actor: User, subject_id: int, source: str, target: str, action: str) -> Subject:
    subject = get_for(
        Subject.objects.select_for_update(),
        actor,
        policy.SUBJECT_PUBLISH,
        view_permission=policy.SUBJECT_VIEW,
        pk=subject_id,
    )
    if subject.status != source:
        raise Conflict(
            _("The subject is %(status)s; this action needs it to be %(source)s.")
            % {
                "status": SubjectStatus(subject.status).label,
                "source": SubjectStatus(source).label,
            }
        )
    before = audit.snapshot(subject)
    subject.status = target
    subject.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor, action=action, target=subject, before=before, after=audit.snapshot(subject)
    )
    return subject


@transaction.atomic
def publish_subject(*, actor: User, subject_id: int) -> Subject:
    """Show a draft subject in the public registry."""
    return _set_status(
        actor=actor,
        subject_id=subject_id,
        source=SubjectStatus.DRAFT,
        target=SubjectStatus.PUBLISHED,
        action="publish",
    )


@transaction.atomic
def withdraw_subject(*, actor: User, subject_id: int) -> Subject:
    """Take a published subject out of the public registry (back to draft)."""
    return _set_status(
        actor=actor,
        subject_id=subject_id,
        source=SubjectStatus.PUBLISHED,
        target=SubjectStatus.DRAFT,
        action="withdraw",
    )


@transaction.atomic
def delete_subject(*, actor: User, subject_id: int) -> None:
    """Delete a subject. Published subjects are part of the public record: withdraw them first,
    unless you are the secretariat."""
    subject = get_for(
        Subject.objects.select_for_update(),
        actor,
        policy.SUBJECT_DELETE,
        view_permission=policy.SUBJECT_VIEW,
        pk=subject_id,
    )
    if subject.is_published and not grants_for(actor).hub_wide:
        raise Conflict(
            _("Published subjects cannot be deleted; withdraw it from the registry first.")
        )
    audit.record(actor=actor, action="delete", target=subject, before=audit.snapshot(subject))
    subject.delete()
