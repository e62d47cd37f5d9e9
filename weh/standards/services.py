"""Loading the standards catalog into the database.

Loading is idempotent: an unchanged file changes nothing; a changed file updates its version only
while no assessment uses it. A used version is immutable: changing it means publishing a new
version file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from weh.core import audit
from weh.standards.definition import (
    CrosswalkDefinition,
    DefinitionError,
    StandardDefinition,
    parse_crosswalk,
    parse_standard,
)
from weh.standards.models import (
    Crosswalk,
    CrosswalkLink,
    Indicator,
    StandardVersion,
    definition_json,
)

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
CROSSWALK_DIR = "crosswalks"


class CatalogError(Exception):
    """The catalog cannot be loaded; the message says which file and why."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    crosswalks: list[str] = field(default_factory=list)


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        raise CatalogError(f"{path}: not valid YAML: {error}") from None


def read_catalog(
    directory: Path = CATALOG_DIR,
) -> tuple[list[tuple[StandardDefinition, str]], list[tuple[CrosswalkDefinition, str]]]:
    """Parse and validate every file of the catalog; raise CatalogError on the first bad one."""
    standards: list[tuple[StandardDefinition, str]] = []
    for path in sorted(directory.glob("*/*.yaml")):
        if path.parent.name == CROSSWALK_DIR:
            continue
        source = str(path.relative_to(directory.parent))
        try:
            definition = parse_standard(_read_yaml(path), source=source)
        except DefinitionError as error:
            raise CatalogError(str(error)) from None
        if (definition.id, definition.version) != (path.parent.name, path.stem):
            raise CatalogError(
                f"{source}: the file declares {definition.key}; it must be stored as "
                f"{definition.id}/{definition.version}.yaml"
            )
        standards.append((definition, source))
    keys = [d.key for d, _source in standards]
    if len(set(keys)) != len(keys):
        raise CatalogError("two catalog files declare the same standard version")
    by_key = {d.key: d for d, _source in standards}
    crosswalks = []
    for path in sorted((directory / CROSSWALK_DIR).glob("*.yaml")):
        source = str(path.relative_to(directory.parent))
        try:
            crosswalk = parse_crosswalk(_read_yaml(path), source=source, standards=by_key)
        except DefinitionError as error:
            raise CatalogError(str(error)) from None
        crosswalks.append((crosswalk, source))
    return standards, crosswalks


def checksum(data: Any) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _indicator_rows(version: StandardVersion, definition: StandardDefinition) -> None:
    rows = []
    position = 0
    for component in definition.components or [None]:
        criteria = component.criteria if component else definition.criteria or []
        for criterion in criteria:
            for indicator in criterion.indicators:
                position += 1
                rows.append(
                    Indicator(
                        standard_version=version,
                        code=indicator.code,
                        criterion_code=criterion.code,
                        component_code=component.code if component else "",
                        position=position,
                        statement=indicator.statement,
                    )
                )
    Indicator.objects.bulk_create(rows)


def _log_version(kind: str, key: str, digest: str, source: str) -> None:
    # The checksum pins the whole definition: anyone holding the file can check it.
    from weh.ledger.services import append_entry

    append_entry(
        kind=kind,
        subject=f"standard:{key}",
        content={"key": key, "checksum": digest, "source": Path(source).name},
        facts={"key": key, "checksum": digest},
    )


@transaction.atomic
def load_catalog(*, actor: Any = None, directory: Path = CATALOG_DIR) -> LoadReport:
    """Load every standard version and crosswalk of the catalog (idempotent)."""
    standards, crosswalks = read_catalog(directory)
    report = LoadReport()
    for definition, source in standards:
        data = definition_json(definition)
        digest = checksum(data)
        existing = StandardVersion.objects.filter(
            standard_id=definition.id, version=definition.version
        ).first()
        if existing is not None and existing.checksum == digest:
            report.unchanged.append(definition.key)
            continue
        values = {
            "title": definition.title,
            "publisher": definition.publisher,
            "applies_to": list(definition.applies_to),
            "definition": data,
            "checksum": digest,
            "source": source,
        }
        if existing is None:
            version = StandardVersion.objects.create(
                standard_id=definition.id, version=definition.version, **values
            )
            _indicator_rows(version, definition)
            audit.record(
                actor=actor,
                action="load",
                target=version,
                after={"key": definition.key, "checksum": digest},
            )
            _log_version("standard.published", definition.key, digest, source)
            report.created.append(definition.key)
            continue
        used = existing.assessments.count()
        if used:
            raise CatalogError(
                f"{source}: {definition.key} is used by {used} assessment(s) and cannot change. "
                f"Publish the change as a new version file instead."
            )
        before = {"key": existing.key, "checksum": existing.checksum}
        for key, value in values.items():
            setattr(existing, key, value)
        existing.save()
        existing.indicator_rows.all().delete()
        _indicator_rows(existing, definition)
        audit.record(
            actor=actor,
            action="reload",
            target=existing,
            before=before,
            after={"key": definition.key, "checksum": digest},
        )
        _log_version("standard.changed", definition.key, digest, source)
        report.updated.append(definition.key)

    for crosswalk, _source in crosswalks:
        _load_crosswalk(crosswalk)
        report.crosswalks.append(crosswalk.id)
    return report


def _load_crosswalk(definition: CrosswalkDefinition) -> None:
    data = definition.model_dump(mode="json", exclude_none=True)
    digest = checksum(data)
    existing = Crosswalk.objects.filter(crosswalk_id=definition.id).first()
    if existing is not None and existing.checksum == digest and existing.links.exists():
        return
    source_id, source_version = definition.source.split("@")
    target_id, target_version = definition.target.split("@")
    source = StandardVersion.objects.get(standard_id=source_id, version=source_version)
    target = StandardVersion.objects.get(standard_id=target_id, version=target_version)
    crosswalk, _created = Crosswalk.objects.update_or_create(
        crosswalk_id=definition.id,
        defaults={
            "source": source,
            "target": target,
            "description": definition.description,
            "checksum": digest,
        },
    )
    crosswalk.links.all().delete()
    source_rows = {i.code: i for i in source.indicator_rows.all()}
    target_rows = {i.code: i for i in target.indicator_rows.all()}
    CrosswalkLink.objects.bulk_create(
        CrosswalkLink(
            crosswalk=crosswalk,
            source=source_rows[link.source],
            target=target_rows[link.target],
            strength=link.strength,
            note=link.note or "",
        )
        for link in definition.links
    )
