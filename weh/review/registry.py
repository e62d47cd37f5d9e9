"""Reads of the public registry of recognitions: filters, the list, the map, downloads, one
recognition and its certificate, and the validators (ETags) that let clients and caches reuse them.

Everything here is public: the registry lists every recognition ever granted with its current
status, for anyone, signed in or not. Rows are read with ``values_list`` and only the columns a
page shows; the labels of tiers, levels and criteria come from the standard definitions, parsed
once per process (a definition never changes under its checksum).

Validators. ``registry_version()`` is one query of two index lookups (the latest ``updated_at``
and the largest id); every save of a recognition (status changes included: the services save
``updated_at`` with them) moves it, and so does every new recognition. Recognitions are never
deleted (the decision and the assessment protect them), which is why no count is part of it; a
``QuerySet.update()`` that skips ``updated_at`` would go unseen. A process reuses the version it
read for a second (at once forgotten when it saves a recognition itself). An ETag hashes that
version with the build, the view, its filters and the language, so a conditional request is
answered ``304 Not Modified`` without reading any row; and what costs most to render (the map,
API pages, the list's results) is kept by its ETag in the process (``BodyCache``), since it cannot
change before the version does.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from functools import cache, cached_property, lru_cache
from importlib import metadata
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from weh.core import policy
from weh.core.iso import country_name
from weh.registry.models import SubjectKind, SubjectStatus
from weh.review.models import Recognition, RecognitionStatus
from weh.standards.definition import StandardDefinition
from weh.standards.models import StandardVersion, in_language

Text = dict[str, str]

ALL_STATUSES: Final = "all"
STATUS_FILTERS: Final = (*RecognitionStatus.values, ALL_STATUSES)
DEFAULT_STATUS: Final = RecognitionStatus.ACTIVE.value
# At most this many words of a search are used: each one is a LIKE over the names.
MAX_SEARCH_WORDS: Final = 8


# ---------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True, slots=True)
class RegistryFilters:
    """What the registry is narrowed to. Empty text means "any"; status defaults to active.

    Values are normalised but not checked against the loaded standards: an unknown standard,
    tier or level simply matches nothing, which costs no query to find out.
    """

    standard: str = ""
    tier: str = ""
    level: str = ""
    country: str = ""
    kind: str = ""
    status: str = DEFAULT_STATUS
    q: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> RegistryFilters:
        """Filters from a query string (``request.GET``) or the API's parameters."""

        def text(name: str, limit: int = 40) -> str:
            value = params.get(name)
            return str(value).strip()[:limit] if value is not None else ""

        status = text("status").lower() or DEFAULT_STATUS
        return cls(
            standard=text("standard").lower(),
            tier=text("tier").lower(),
            level=text("level").lower(),
            country=text("country", 3).upper(),
            kind=text("kind").lower(),
            status=status if status in STATUS_FILTERS else DEFAULT_STATUS,
            # Collapsed spaces: "a  b" and "a b" are the same search, and the same ETag.
            q=" ".join(text("q", 200).split()),
        )

    def key(self) -> str:
        """A canonical text of the filters, for validators."""
        return "\x1f".join(getattr(self, f.name) for f in fields(self))

    def params(self) -> dict[str, str]:
        """The filters that differ from the defaults, as query parameters (for links)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != f.default
        }

    @property
    def is_default(self) -> bool:
        return not self.params()


def _filtered(filters: RegistryFilters) -> QuerySet[Recognition]:
    # Anonymous visitors and members see the same registry: every recognition, any status.
    qs = Recognition.objects.restrict(None, policy.SUBJECT_VIEW)
    if filters.status != ALL_STATUSES:
        qs = qs.filter(status=filters.status)
    if filters.standard:
        qs = qs.filter(standard=filters.standard)
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.country:
        qs = qs.filter(country=filters.country)
    if filters.kind:
        qs = qs.filter(subject_kind=filters.kind)
    if filters.q:
        serial = filters.q.upper()
        # A certificate number finds its recognition whatever the words; otherwise every word
        # must appear in the subject's name.
        by_name = Q()
        for word in filters.q.split()[:MAX_SEARCH_WORDS]:
            by_name &= Q(subject_name__icontains=word)
        qs = qs.filter(Q(serial=serial) | by_name)
    return qs


# Newest first: the latest decision at the top; the id breaks ties within a day.
ORDERING: Final = ("-valid_from", "-pk")


# ---------------------------------------------------------------------------------------------
# Validators (ETags)


@cache
def build_tag() -> str:
    """What the code and its translations are: a new release must not answer 304 for pages
    that its templates or catalogs now render differently. The same in every worker."""
    parts = [metadata.version("weh") if _installed("weh") else "dev"]
    root = Path(__file__).resolve().parent.parent
    for pattern in ("locale/*/LC_MESSAGES/django.mo", "review/templates/review/public/*.html"):
        for path in sorted(root.glob(pattern)):
            stat = path.stat()
            parts.append(f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}")
    parts.append(str((root / "web" / "templates" / "base.html").stat().st_mtime_ns))
    return hashlib.blake2b("|".join(parts).encode(), digest_size=6).hexdigest()


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


# How long one process may reuse the version it read, so that most requests need no query at all
# (a 304, or a body kept by its ETag). A change made by another process shows in the ETags at most
# this late (well inside max-age); one made in this process at once (signals below).
VERSION_REUSE_SECONDS: Final = 1.0
_version_memo: list[Any] = [0.0, ""]


def registry_version(*, fresh: bool = False) -> str:
    """A text that changes whenever a recognition is added or saved.

    One query: the newest ``updated_at`` (its index, read backwards) and the largest id (the
    primary key), as two scalar subqueries so that each is a single index lookup on SQLite and
    PostgreSQL alike (two aggregates in one SELECT would scan the table on SQLite).
    """
    now = time.monotonic()
    if not fresh and _version_memo[0] > now:
        return str(_version_memo[1])
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        latest, largest = cursor.fetchone()
    version = f"{latest}/{largest}"
    _version_memo[0], _version_memo[1] = now + VERSION_REUSE_SECONDS, version
    return version


@cache
def _version_sql() -> str:
    # Raw SQL: the ORM would compile the same statement on every request of the 304 path.
    table = connection.ops.quote_name(Recognition._meta.db_table)
    return f"SELECT (SELECT MAX(updated_at) FROM {table}), (SELECT MAX(id) FROM {table})"  # noqa: S608 - table name only


def forget_registry_version() -> None:
    _version_memo[0] = 0.0


@receiver(post_save, sender=Recognition, dispatch_uid="registry-version-save")
@receiver(post_delete, sender=Recognition, dispatch_uid="registry-version-delete")
def _recognition_changed(**kwargs: Any) -> None:
    forget_registry_version()


def make_etag(*parts: object) -> str:
    """A strong ETag (quoted) over the build and ``parts``."""
    text = "\x1e".join(str(part) for part in (build_tag(), *parts))
    return '"' + hashlib.blake2b(text.encode(), digest_size=12).hexdigest() + '"'


def registry_etag(view: str, filters: RegistryFilters, *extra: object) -> str:
    """The ETag of a registry-wide representation (list, map, downloads) under ``filters``."""
    return make_etag(view, registry_version(), filters.key(), *extra)


def recognition_stamp(serial: str) -> tuple[str, str] | None:
    """What a recognition's pages depend on, cheaply: (updated_at, subject status), or None if
    no recognition has this serial. One query on the unique serial index, joined to its subject.
    """
    row = (
        Recognition.objects.filter(serial=serial)
        .values_list("updated_at", "subject__status")
        .first()
    )
    return (row[0].isoformat(), row[1]) if row is not None else None


# ---------------------------------------------------------------------------------------------
# Labels from the standard definitions


@dataclass(frozen=True)
class Localized:
    """One standard version's labels in one language, as plain dicts: a row costs lookups, not
    gettext calls."""

    title: str
    short_title: str
    tiers: dict[str, str]
    levels: dict[str, str]
    count_rating: str


@dataclass(frozen=True)
class VersionLabels:
    """The texts of one standard version that the registry shows, by code."""

    standard: str
    version: str
    title: Text
    short_title: Text
    tiers: dict[str, tuple[Text, Text]]  # code → (label, description)
    outcomes: dict[str, tuple[Text, Text | None, str]]  # code → (label, description, colour)
    criteria: dict[str, Text]  # code → title
    bands: dict[str, tuple[Text, str]]  # code → (label, colour)
    count_rating: Text | None  # with a count result: the label of the counted rating
    decimals: int
    _localized: dict[str, Localized] = field(default_factory=dict, compare=False, repr=False)

    def localized(self, language: str | None = None) -> Localized:
        """The labels in ``language`` (default: the active one), worked out once per process."""
        language = language or get_language() or "en"
        found = self._localized.get(language)
        if found is None:
            found = self._localized[language] = Localized(
                title=in_language(self.title, language),
                short_title=in_language(self.short_title, language),
                tiers={code: in_language(t[0], language) for code, t in self.tiers.items()},
                levels={code: in_language(o[0], language) for code, o in self.outcomes.items()},
                count_rating=in_language(self.count_rating, language),
            )
        return found

    def tier(self, code: str) -> str:
        return self.localized().tiers.get(code, code)

    def tier_description(self, code: str) -> str:
        return in_language(self.tiers[code][1]) if code in self.tiers else ""

    def level(self, code: str) -> str:
        return self.localized().levels.get(code, code)

    def display_title(self) -> str:
        return self.localized().title

    def overall(self, percent: Decimal | None, count: int | None) -> str:
        """The overall result as shown: "82.5 %" or "12 indicators rated Strong"."""
        if percent is not None:
            return f"{format_percent(percent, self.decimals)} %"
        if count is not None:
            return _("%(count)d indicators rated %(rating)s") % {
                "count": count,
                "rating": self.localized().count_rating,
            }
        return "—"


def _labels(definition: StandardDefinition) -> VersionLabels:
    count_rating = next(
        (
            r.label
            for r in definition.rating_scale.ratings
            if r.code == definition.scoring.count_rating
        ),
        None,
    )
    return VersionLabels(
        standard=definition.id,
        version=definition.version,
        title=definition.title,
        short_title=definition.short_title or definition.title,
        tiers={t.code: (t.label, t.description) for t in definition.assurance_tiers},
        outcomes={o.code: (o.label, o.description, o.colour) for o in definition.outcomes},
        criteria={c.code: c.title for c in definition.all_criteria()},
        bands={b.code: (b.label, b.colour) for b in definition.scoring.bands},
        count_rating=count_rating,
        decimals=definition.scoring.decimals,
    )


# By checksum: a version's definition never changes under its checksum.
_LABELS: dict[str, VersionLabels] = {}


def version_labels(version_ids: Iterable[int] | None = None) -> dict[int, VersionLabels]:
    """Labels by standard version id (of ``version_ids``, or of every loaded version).

    One small query (ids and checksums); definitions are read and parsed only the first time a
    process meets a checksum.
    """
    qs = StandardVersion.objects.order_by()
    if version_ids is not None:
        ids = set(version_ids)
        if not ids:
            return {}
        qs = qs.filter(pk__in=ids)
    pairs = list(qs.values_list("pk", "checksum"))
    missing = {checksum for _pk, checksum in pairs if checksum not in _LABELS}
    if missing:
        for version in StandardVersion.objects.filter(checksum__in=missing):
            _LABELS[version.checksum] = _labels(version.parsed())
    return {pk: _LABELS[checksum] for pk, checksum in pairs}


def format_percent(value: Decimal | str | None, decimals: int = 1) -> str:
    if value is None or value == "":
        return ""
    return str(Decimal(value).quantize(Decimal(1).scaleb(-decimals)))


# ---------------------------------------------------------------------------------------------
# Filter choices


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class ChoiceGroup:
    label: str
    choices: list[Choice]


@dataclass(frozen=True)
class FilterChoices:
    standards: list[Choice]
    tiers: list[Choice]
    levels: list[ChoiceGroup]
    countries: list[Choice]
    kinds: list[Choice]
    statuses: list[Choice]
    _html: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def options(self, filters: RegistryFilters) -> dict[str, SafeString]:
        """The ``<option>`` elements of each filter, the chosen one selected.

        Written once per set of choices (they are kept per registry version and language) and
        only marked up per request: the template loop over some seventy options cost more than
        the rest of the page.
        """
        if not self._html:
            groups: dict[str, list[ChoiceGroup]] = {
                "standard": [ChoiceGroup("", self.standards)],
                "tier": [ChoiceGroup("", self.tiers)],
                "level": self.levels,
                "country": [ChoiceGroup("", self.countries)],
                "kind": [ChoiceGroup("", self.kinds)],
                "status": [ChoiceGroup("", self.statuses)],
            }
            for name, listed in groups.items():
                self._html[name] = "".join(_option_group(group) for group in listed)
        out = {}
        for name, html in self._html.items():
            value = getattr(filters, name)
            if value:
                chosen = f'<option value="{escape(value)}">'
                html = html.replace(chosen, chosen[:-1] + " selected>", 1)
            out[name] = mark_safe(html)  # built from escaped parts below
        return out


def _option_group(group: ChoiceGroup) -> str:
    options = "".join(
        f'<option value="{escape(c.value)}">{escape(c.label)}</option>' for c in group.choices
    )
    return (
        f'<optgroup label="{escape(group.label)}">{options}</optgroup>' if group.label else options
    )


# By (registry version, language): the countries come from an index scan and the labels from
# every loaded standard, and neither changes until a recognition does.
_CHOICES: OrderedDict[tuple[str, str], FilterChoices] = OrderedDict()


def filter_choices(version: str) -> FilterChoices:
    """The options of the filter form, labelled in the active language.

    Tiers and levels of every loaded standard (levels grouped by standard): the form is not
    rebuilt when htmx refreshes the results, so its options must not depend on the filters.
    Countries: those holding a recognition. ``version`` is ``registry_version()``.
    """
    key = (version, get_language() or "")
    found = _CHOICES.get(key)
    if found is None:
        found = _CHOICES[key] = _filter_choices()
        while len(_CHOICES) > 16:
            _CHOICES.popitem(last=False)
    return found


def _filter_choices() -> FilterChoices:
    latest: dict[str, VersionLabels] = {}
    for labels in version_labels().values():
        # The latest version names the standard and its levels (versions compare as text).
        current = latest.get(labels.standard)
        if current is None or labels.version > current.version:
            latest[labels.standard] = labels
    standards = sorted(latest.values(), key=lambda v: in_language(v.short_title).lower())
    tiers: dict[str, str] = {}
    for labels in standards:
        for code in labels.tiers:
            tiers.setdefault(code, labels.tier(code))
    countries = Recognition.objects.order_by().values_list("country", flat=True).distinct()
    return FilterChoices(
        standards=[Choice(v.standard, in_language(v.short_title)) for v in standards],
        tiers=[Choice(code, label) for code, label in tiers.items()],
        levels=[
            ChoiceGroup(
                in_language(v.short_title), [Choice(code, v.level(code)) for code in v.outcomes]
            )
            for v in standards
        ],
        countries=sorted(
            (Choice(code, country_name(code)) for code in countries),
            key=lambda c: c.label.lower(),
        ),
        kinds=[Choice(str(value), str(label)) for value, label in SubjectKind.choices],
        statuses=[
            *(Choice(str(value), str(label)) for value, label in RecognitionStatus.choices),
            Choice(ALL_STATUSES, _("Any status")),
        ],
    )


# ---------------------------------------------------------------------------------------------
# The list


LIST_FIELDS: Final = (
    "serial",
    "subject_name",
    "subject_kind",
    "country",
    "standard",
    "standard_version_id",
    "tier",
    "level",
    "overall_percent",
    "overall_count",
    "valid_from",
    "valid_until",
    "status",
)


def list_recognitions(filters: RegistryFilters) -> QuerySet[Recognition, tuple[Any, ...]]:
    """The recognitions under ``filters``, newest first, as tuples of ``LIST_FIELDS``.

    Slice it (a page); ``count()`` counts without reading rows.
    """
    return _filtered(filters).order_by(*ORDERING).values_list(*LIST_FIELDS)


# Counts by (registry version, filters): counting the active registry reads an index of every
# active row, and the answer only changes when a recognition does.
_COUNTS: OrderedDict[tuple[str, str], int] = OrderedDict()


def count_recognitions(filters: RegistryFilters, version: str) -> int:
    """How many recognitions match ``filters``; ``version`` is ``registry_version()``."""
    key = (version, filters.key())
    found = _COUNTS.get(key)
    if found is None:
        found = _COUNTS[key] = _filtered(filters).count()
        while len(_COUNTS) > 256:
            _COUNTS.popitem(last=False)
    return found


class _CountedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def page_of(filters: RegistryFilters, number: str, size: int, version: str) -> Page:
    """One page (``number`` as given; out of range: the nearest page) of ``list_recognitions``."""
    paginator = _CountedPaginator(
        list_recognitions(filters), size, count_recognitions(filters, version)
    )
    return paginator.get_page(number)


@dataclass(frozen=True)
class RegistryRow:
    serial: str
    url: str
    subject_name: str
    kind: str
    kind_label: str
    country: str
    country_name: str
    standard: str
    standard_version: str
    standard_title: str
    tier: str
    tier_label: str
    level: str
    level_label: str
    overall_percent: Decimal | None
    overall_count: int | None
    overall: str
    valid_from: date
    valid_until: date
    valid_until_text: str
    status: str
    status_label: str


@lru_cache(maxsize=16)
def _kind_labels(language: str) -> dict[str, str]:
    # The argument keys the cache: the labels are evaluated in the active language, which it is.
    return {str(value): str(label) for value, label in SubjectKind.choices}


@lru_cache(maxsize=16)
def _status_labels(language: str) -> dict[str, str]:
    return {str(value): str(label) for value, label in RecognitionStatus.choices}


_country_name = lru_cache(maxsize=512)(country_name)


def status_label(status: str) -> str:
    """The status's label in the active language."""
    return _status_labels(get_language() or "").get(status, status)


def kind_label(kind: str) -> str:
    """The subject kind's label in the active language."""
    return _kind_labels(get_language() or "").get(kind, kind)


def registry_rows(rows: Iterable[tuple[Any, ...]]) -> list[RegistryRow]:
    """Tuples of ``LIST_FIELDS`` as rows labelled in the active language (one small query)."""
    rows = list(rows)
    language = get_language() or "en"
    versions = version_labels({r[5] for r in rows})
    labels = {pk: version.localized(language) for pk, version in versions.items()}
    kinds, statuses = _kind_labels(language), _status_labels(language)
    before, after = recognition_url_template()
    out = []
    for (
        serial,
        subject_name,
        kind,
        country,
        standard,
        version_id,
        tier,
        level,
        percent,
        count,
        valid_from,
        valid_until,
        status,
    ) in rows:
        local, version = labels.get(version_id), versions.get(version_id)
        out.append(
            RegistryRow(
                serial=serial,
                url=f"{before}{serial}{after}",
                subject_name=subject_name,
                kind=kind,
                kind_label=kinds.get(kind, kind),
                country=country,
                country_name=_country_name(country),
                standard=standard,
                standard_version=version.version if version else "",
                standard_title=local.short_title if local else standard,
                tier=tier,
                tier_label=local.tiers.get(tier, tier) if local else tier,
                level=level,
                level_label=local.levels.get(level, level) if local else level,
                overall_percent=percent,
                overall_count=count,
                overall=version.overall(percent, count) if version else "",
                valid_from=valid_from,
                valid_until=valid_until,
                valid_until_text=valid_until.isoformat(),
                status=status,
                status_label=statuses.get(status, status),
            )
        )
    return out


@cache
def recognition_url_template() -> tuple[str, str]:
    """The path of a recognition page split around its serial: reversing once instead of once
    per row keeps the map and the downloads linear in the rows and nothing more."""
    marker = "SERIAL0"
    before, _sep, after = reverse("review:recognition", args=[marker]).partition(marker)
    return before, after


def summary_rows(rows: Iterable[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Tuples of ``LIST_FIELDS`` in the API's summary shape (``api_public.RecognitionSummary``),
    with JSON's own types (text for decimals and dates), so that encoding needs no hooks."""
    site = settings.WEH_SITE_URL
    return [
        {
            "serial": row.serial,
            "subject": {"name": row.subject_name, "kind": row.kind, "country": row.country},
            "standard": {
                "id": row.standard,
                "version": row.standard_version,
                "title": row.standard_title,
            },
            "tier": {"code": row.tier, "label": row.tier_label},
            "level": {"code": row.level, "label": row.level_label},
            "overall_percent": None if row.overall_percent is None else str(row.overall_percent),
            "overall_count": row.overall_count,
            "valid_from": row.valid_from.isoformat(),
            "valid_until": row.valid_until_text,
            "status": row.status,
            "url": site + row.url,
        }
        for row in registry_rows(rows)
    ]


# ---------------------------------------------------------------------------------------------
# The map


MAP_FIELDS: Final = (
    "serial",
    "subject_name",
    "standard",
    "standard_version_id",
    "tier",
    "level",
    "status",
    "longitude",
    "latitude",
)
# Five decimals of a degree are about a metre: plenty for a point on a registry map.
COORDINATE_DECIMALS: Final = 5


def map_labels(version_ids: Iterable[int]) -> dict[str, Any]:
    """The labels of the codes on the map, in the active language: ``standard``, ``tier`` and
    ``status`` (code → label) and ``level`` (standard → code → label)."""
    language = get_language() or "en"
    labels: dict[str, Any] = {
        "standard": {},
        "tier": {},
        "level": {},
        "status": _status_labels(language),
    }
    for version in version_labels(version_ids).values():
        local = version.localized(language)
        labels["standard"].setdefault(version.standard, local.short_title)
        labels["level"].setdefault(version.standard, {}).update(local.levels)
        for code, label in local.tiers.items():
            labels["tier"].setdefault(code, label)
    return labels


# One point, written directly: building a dict per point and encoding it took three times as
# long as reading the rows. Strings go through the json module's own (C) encoder.
_FEATURE: Final = (
    '{"type":"Feature","geometry":{"type":"Point","coordinates":[%r,%r]},'
    '"properties":{"serial":%s,"name":%s,"standard":%s,"tier":%s,"level":%s,"status":%s,'
    '"url":%s}}'
)


def map_json(filters: RegistryFilters) -> bytes:
    """A GeoJSON FeatureCollection of the recognitions under ``filters`` that have a position,
    as compact UTF-8 JSON.

    Each point's properties: serial, name, standard, tier, level, status (codes) and the page's
    path. The labels of the codes in the active language come once, in the collection's foreign
    member ``labels`` (see ``map_labels``), rather than on each of thousands of points. Points
    are in id order: any fixed order gives the same bytes each time, as a strong ETag promises,
    and this one costs no sort.
    """
    rows = list(
        _filtered(filters)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .order_by("pk")
        .values_list(*MAP_FIELDS)
    )
    labels = map_labels({row[3] for row in rows})
    before, after = recognition_url_template()
    quote = encode_basestring
    codes: dict[str, str] = {}  # each code quoted once

    def code(value: str) -> str:
        found = codes.get(value)
        if found is None:
            found = codes[value] = quote(value)
        return found

    features = ",".join(
        _FEATURE
        % (
            round(lon, COORDINATE_DECIMALS),
            round(lat, COORDINATE_DECIMALS),
            quote(serial),
            quote(name),
            code(standard),
            code(tier),
            code(level),
            code(status),
            quote(f"{before}{serial}{after}"),
        )
        for serial, name, standard, _version, tier, level, status, lon, lat in rows
    )
    head = json.dumps(labels, ensure_ascii=False, separators=(",", ":"))
    return f'{{"type":"FeatureCollection","labels":{head},"features":[{features}]}}'.encode()


def gzipped(body: bytes) -> bytes:
    """gzip at a moderate level, with no timestamp: the same body always gives the same bytes,
    as a strong ETag requires."""
    return gzip.compress(body, compresslevel=6, mtime=0)


class BodyCache:
    """Rendered documents by ETag, kept in this process (least recently used first out).

    The ETag names the registry version, the view, the filters and the language, so a stored
    body is exactly what rendering again would give, and any change of a recognition makes a
    new ETag that misses. Used for what costs most to render and is asked for most: the map,
    API pages and the list's results.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.items: OrderedDict[str, Any] = OrderedDict()

    def get(self, key: str) -> Any:
        body = self.items.get(key)
        if body is not None:
            self.items.move_to_end(key)
        return body

    def put(self, key: str, body: str | bytes) -> None:
        if len(body) > self.max_bytes // 4 or key in self.items:
            return
        self.items[key] = body
        self.size += len(body)
        while self.size > self.max_bytes:
            _key, dropped = self.items.popitem(last=False)
            self.size -= len(dropped)

    def clear(self) -> None:
        self.items.clear()
        self.size = 0


map_bodies = BodyCache(max_bytes=64 * 1024 * 1024)
page_bodies = BodyCache(max_bytes=16 * 1024 * 1024)


def clear_caches() -> None:
    """Forget everything kept by registry version: for tests (a rolled-back transaction sends no
    signal) and for measuring the first request after a change."""
    forget_registry_version()
    recognition_url_template.cache_clear()
    map_bodies.clear()
    page_bodies.clear()
    _COUNTS.clear()
    _CHOICES.clear()


# ---------------------------------------------------------------------------------------------
# Downloads (CSV and JSON)


EXPORT_FIELDS: Final = (
    "serial",
    "subject_name",
    "subject_kind",
    "country",
    "standard",
    "standard_version_id",
    "tier",
    "level",
    "overall_percent",
    "overall_count",
    "criterion_scores",
    "valid_from",
    "valid_until",
    "status",
)
EXPORT_CHUNK: Final = 1000


def export_rows(filters: RegistryFilters) -> Iterator[dict[str, Any]]:
    """Every recognition under ``filters``, newest first, as plain JSON-ready dicts.

    Read in chunks with a server-side cursor where the database has one, so that memory does not
    grow with the registry.
    """
    labels = version_labels()
    before, after = recognition_url_template()
    site = settings.WEH_SITE_URL
    qs = _filtered(filters).order_by(*ORDERING).values_list(*EXPORT_FIELDS)
    for (
        serial,
        subject_name,
        kind,
        country,
        standard,
        version_id,
        tier,
        level,
        percent,
        count,
        criteria,
        valid_from,
        valid_until,
        status,
    ) in qs.iterator(chunk_size=EXPORT_CHUNK):
        version = labels.get(version_id)
        yield {
            "serial": serial,
            "subject": subject_name,
            "kind": kind,
            "country": country,
            "standard": standard,
            "standard_version": version.version if version else "",
            "tier": tier,
            "level": level,
            "level_label": version.level(level) if version else level,
            "overall_percent": None if percent is None else str(percent),
            "overall_count": count,
            "criterion_scores": [
                {"code": c.get("code"), "percent": c.get("percent"), "band": c.get("band")}
                for c in criteria or []
            ],
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
            "status": status,
            "url": f"{site}{before}{serial}{after}",
        }


BOM: Final = "\ufeff"
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(filters: RegistryFilters) -> Iterator[bytes]:
    """The CSV download, in chunks of about a thousand lines: a byte-order mark (spreadsheets
    then read UTF-8), a header in the active language, one line per recognition."""
    header = [
        _("Certificate number"),
        _("Subject"),
        _("Kind"),
        _("Country"),
        _("Standard"),
        _("Standard version"),
        _("Assurance tier"),
        _("Level"),
        _("Level (label)"),
        _("Overall %"),
        _("Count"),
        _("Criterion scores"),
        _("Valid from"),
        _("Valid until"),
        _("Status"),
        _("Registry page"),
    ]
    not_applicable = _("n/a")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    for number, row in enumerate(export_rows(filters), start=1):
        writer.writerow(
            [
                _cell(row["serial"]),
                _cell(row["subject"]),
                row["kind"],
                row["country"],
                _cell(row["standard"]),
                _cell(row["standard_version"]),
                _cell(row["tier"]),
                _cell(row["level"]),
                _cell(row["level_label"]),
                row["overall_percent"] or "",
                "" if row["overall_count"] is None else row["overall_count"],
                # "C1 82.5; C2 n/a": one cell, readable, and split easily.
                "; ".join(
                    f"{c['code']} {c['percent'] if c['percent'] is not None else not_applicable}"
                    for c in row["criterion_scores"]
                ),
                row["valid_from"],
                row["valid_until"],
                row["status"],
                row["url"],
            ]
        )
        if number % EXPORT_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def json_chunks(filters: RegistryFilters, *, source: str) -> Iterator[bytes]:
    """The JSON download: ``{"source", "filters", "recognitions": [...]}``, streamed."""
    head = json.dumps(
        {"source": source, "filters": {"status": filters.status, **filters.params()}},
        ensure_ascii=False,
    )
    # The object is opened by hand so that the list can follow row by row.
    yield (head[:-1] + ', "recognitions": [').encode()
    parts: list[str] = []
    for number, row in enumerate(export_rows(filters)):
        parts.append(("," if number else "") + json.dumps(row, ensure_ascii=False))
        if len(parts) == EXPORT_CHUNK:
            yield "".join(parts).encode()
            parts = []
    parts.append("]}\n")
    yield "".join(parts).encode()


# ---------------------------------------------------------------------------------------------
# One recognition


@dataclass(frozen=True)
class CriterionScore:
    code: str
    title: str
    percent: str  # "" when not applicable
    band: str
    band_colour: str


@dataclass(frozen=True)
class RecognitionPage:
    """What the public page of one recognition shows (and nothing a reviewer wrote)."""

    serial: str
    subject_id: int
    subject_name: str
    subject_kind: str
    subject_kind_label: str
    subject_published: bool
    country: str
    country_name: str
    latitude: float | None
    longitude: float | None
    standard: str
    standard_version: str
    standard_title: str
    tier: str
    tier_label: str
    tier_description: str
    level: str
    level_label: str
    level_description: str
    level_colour: str
    overall_percent: Decimal | None
    overall_count: int | None
    overall: str
    criteria: list[CriterionScore]
    decided_at: datetime
    reasons: str
    committee: str
    status: str
    status_label: str
    valid_from: date
    valid_until: date
    midterm_check_on: date | None
    updated_at: datetime
    certificate: dict[str, Any] = field(repr=False)
    log_index: int | None = None


DETAIL_FIELDS: Final = (
    "serial",
    "subject_id",
    "subject_name",
    "subject_kind",
    "subject__status",
    "country",
    "latitude",
    "longitude",
    "standard",
    "standard_version_id",
    "tier",
    "level",
    "overall_percent",
    "overall_count",
    "criterion_scores",
    "decision__decided_at",
    "decision__reasons",
    "decision__committee",
    "status",
    "valid_from",
    "valid_until",
    "midterm_check_on",
    "updated_at",
    "certificate",
    "log_index",
)


def get_recognition(serial: str) -> RecognitionPage | None:
    """The public facts of one recognition, or None. Two queries: the row (with its decision's
    date, reasons and committee, and whether its subject is published) and the labels."""
    row = (
        Recognition.objects.restrict(None, policy.SUBJECT_VIEW)
        .filter(serial=serial)
        .values(*DETAIL_FIELDS)
        .first()
    )
    if row is None:
        return None
    version = version_labels([row["standard_version_id"]]).get(row["standard_version_id"])
    level = version.outcomes.get(row["level"]) if version else None
    bands = version.bands if version else {}
    criteria = [
        CriterionScore(
            code=str(c.get("code", "")),
            title=in_language(version.criteria.get(c.get("code", ""))) if version else "",
            percent=format_percent(c.get("percent"), version.decimals if version else 1),
            band=in_language(bands[c["band"]][0]) if c.get("band") in bands else "",
            band_colour=bands[c["band"]][1] if c.get("band") in bands else "",
        )
        for c in row["criterion_scores"] or []
    ]
    return RecognitionPage(
        serial=row["serial"],
        subject_id=row["subject_id"],
        subject_name=row["subject_name"],
        subject_kind=row["subject_kind"],
        subject_kind_label=kind_label(row["subject_kind"]),
        subject_published=row["subject__status"] == SubjectStatus.PUBLISHED,
        country=row["country"],
        country_name=country_name(row["country"]),
        latitude=row["latitude"],
        longitude=row["longitude"],
        standard=row["standard"],
        standard_version=version.version if version else "",
        standard_title=version.display_title() if version else row["standard"],
        tier=row["tier"],
        tier_label=version.tier(row["tier"]) if version else row["tier"],
        tier_description=version.tier_description(row["tier"]) if version else "",
        level=row["level"],
        level_label=version.level(row["level"]) if version else row["level"],
        level_description=in_language(level[1]) if level and level[1] else "",
        level_colour=level[2] if level else "",
        overall_percent=row["overall_percent"],
        overall_count=row["overall_count"],
        overall=(version.overall(row["overall_percent"], row["overall_count"]) if version else ""),
        criteria=criteria,
        decided_at=row["decision__decided_at"],
        reasons=row["decision__reasons"],
        committee=row["decision__committee"],
        status=row["status"],
        status_label=status_label(row["status"]),
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        midterm_check_on=row["midterm_check_on"],
        updated_at=row["updated_at"],
        certificate=row["certificate"] or {},
        log_index=row["log_index"],
    )


def recognition_document(serial: str) -> dict[str, Any] | None:
    """The stored signed certificate document of a recognition, or None."""
    row = (
        Recognition.objects.restrict(None, policy.SUBJECT_VIEW)
        .filter(serial=serial)
        .values_list("certificate", flat=True)
        .first()
    )
    return row or None


def recognition_status(serial: str) -> str | None:
    """The current status of a recognition (active, suspended, expired), or None."""
    return Recognition.objects.filter(serial=serial).values_list("status", flat=True).first()


# ---------------------------------------------------------------------------------------------
# The certificate's facts, from the signed statement


@dataclass(frozen=True)
class CertificateFacts:
    """The facts of a signed statement, labelled for people. Codes are shown in the active
    language where the standard defines them; every value comes from the statement itself."""

    serial: str
    registry_url: str
    subject_name: str
    subject_kind: str
    country: str
    country_name: str
    standard_title: str
    standard_id: str
    standard_version: str
    tier: str
    tier_label: str
    level: str
    level_label: str
    overall_percent: str
    criteria: list[tuple[str, str, str]]  # (code, title, percent or "")
    decision_date: str
    valid_from: str
    valid_until: str
    issuer: str
    issued_at: str
    key_id: str


def certificate_facts(document: Mapping[str, Any]) -> CertificateFacts:
    """The facts of a stored certificate document, for the HTML page and the PDF alike."""
    statement = document["statement"]
    standard, subject, level = statement["standard"], statement["subject"], statement["level"]
    labels = _labels_for_statement(standard.get("id", ""), standard.get("version", ""))
    tier = statement.get("tier") or ""
    criteria = [
        (
            str(c["code"]),
            in_language(labels.criteria.get(c["code"])) if labels else "",
            c["percent"] if c.get("percent") is not None else "",
        )
        for c in statement.get("criteria", [])
    ]
    return CertificateFacts(
        serial=statement["certificate_id"],
        registry_url=statement["registry_url"],
        subject_name=subject["name"],
        subject_kind=kind_label(subject["kind"]),
        country=subject["country"],
        country_name=country_name(subject["country"]),
        standard_title=labels.display_title() if labels else standard["title"],
        standard_id=standard["id"],
        standard_version=standard["version"],
        tier=tier,
        tier_label=(labels.tier(tier) if labels else tier) if tier else "",
        level=level["code"],
        level_label=(
            labels.level(level["code"])
            if labels and level["code"] in labels.outcomes
            else level["label"]
        ),
        overall_percent=(
            format_percent(statement["overall_percent"], labels.decimals)
            if labels
            else statement["overall_percent"]
        ),
        criteria=criteria,
        decision_date=statement["decision_date"],
        valid_from=statement["valid_from"],
        valid_until=statement["valid_until"],
        issuer=statement["issuer"],
        issued_at=statement["issued_at"],
        key_id=str(document.get("signature", {}).get("key_id", "")),
    )


def _labels_for_statement(standard: str, version: str) -> VersionLabels | None:
    for labels in _LABELS.values():
        if labels.standard == standard and labels.version == version:
            return labels
    pk = (
        StandardVersion.objects.filter(standard_id=standard, version=version)
        .values_list("pk", flat=True)
        .first()
    )
    return version_labels([pk]).get(pk) if pk is not None else None
