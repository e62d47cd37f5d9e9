"""Reads on standards and crosswalks. Standards are public: anyone may read them."""

from __future__ import annotations

from django.db.models import QuerySet

from weh.standards.models import Crosswalk, CrosswalkLink, StandardVersion


def list_standard_versions(*, applies_to: str | None = None) -> list[StandardVersion]:
    versions = list(StandardVersion.objects.order_by("standard_id", "version"))
    if applies_to:
        versions = [v for v in versions if applies_to in v.applies_to]
    return versions


def get_standard_version(key: str) -> StandardVersion:
    """``id@version``, or ``id`` for its latest version; LookupError when there is none."""
    standard_id, _sep, version = key.partition("@")
    qs = StandardVersion.objects.filter(standard_id=standard_id)
    if version:
        qs = qs.filter(version=version)
    found = sorted(qs, key=lambda v: _version_key(v.version))
    if not found:
        raise LookupError(f"no standard version '{key}' is loaded")
    return found[-1]


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple(
        (int(p), "") if p.isdigit() else (-1, p) for p in version.replace("-", ".").split(".")
    )


def list_crosswalks() -> QuerySet[Crosswalk]:
    return Crosswalk.objects.select_related("source", "target").order_by("crosswalk_id")


def crosswalk_links(crosswalk: Crosswalk) -> QuerySet[CrosswalkLink]:
    return crosswalk.links.select_related("source", "target")
