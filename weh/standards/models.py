from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from weh.standards.definition import StandardDefinition
from weh.standards.scoring import ScoringModel, compile_standard


def in_language(text: dict[str, str] | None, language: str | None = None) -> str:
    """Pick the text in the active language from a ``{"en": …, "fr": …}`` mapping."""
    if not text:
        return ""
    language = (language or get_language() or "en").lower()
    for code in (language, language.split("-")[0], "en"):
        if text.get(code):
            return text[code]
    return next(iter(text.values()))


# Parsed and compiled definitions, by checksum: a version's definition never changes under it.
_COMPILED: dict[str, tuple[StandardDefinition, ScoringModel]] = {}


class StandardVersion(models.Model):
    """One published version of a standard, loaded from the catalog. Immutable once used."""

    standard_id = models.CharField(_("standard"), max_length=40)
    version = models.CharField(_("version"), max_length=20)
    title = models.JSONField(_("title"))
    publisher = models.JSONField(_("publisher"))
    applies_to = models.JSONField(_("applies to"))
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(_("SHA-256 of the definition"), max_length=64)
    source = models.CharField(_("catalog file"), max_length=300)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["standard_id", "version"]
        verbose_name = _("standard version")
        verbose_name_plural = _("standard versions")
        constraints = [
            models.UniqueConstraint(fields=["standard_id", "version"], name="standard_version_key")
        ]

    def __str__(self) -> str:
        return f"{in_language(self.title, 'en')} ({self.version})"

    @property
    def key(self) -> str:
        return f"{self.standard_id}@{self.version}"

    @property
    def display_title(self) -> str:
        return in_language(self.title)

    def _compiled(self) -> tuple[StandardDefinition, ScoringModel]:
        compiled = _COMPILED.get(self.checksum)
        if compiled is None:
            definition = StandardDefinition.model_validate(self.definition)
            compiled = _COMPILED[self.checksum] = (definition, compile_standard(definition))
        return compiled

    def parsed(self) -> StandardDefinition:
        """The definition as typed objects (parsed once per process and checksum)."""
        return self._compiled()[0]

    def scoring_model(self) -> ScoringModel:
        """The compiled scoring model (built once per process and checksum)."""
        return self._compiled()[1]


class Indicator(models.Model):
    """An indicator of a standard version, as a row that responses and crosswalks point to."""

    standard_version = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="indicator_rows"
    )
    code = models.CharField(_("code"), max_length=40)
    criterion_code = models.CharField(_("criterion"), max_length=40)
    component_code = models.CharField(_("component"), max_length=40, blank=True)
    position = models.PositiveIntegerField(_("position"))
    statement = models.JSONField(_("statement"))

    class Meta:
        ordering = ["standard_version", "position"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["standard_version", "code"], name="indicator_key")
        ]

    def __str__(self) -> str:
        return f"{self.standard_version.key} {self.code}"

    @property
    def display_statement(self) -> str:
        return in_language(self.statement)


class CrosswalkStrength(models.TextChoices):
    EQUIVALENT = "equivalent", _("Equivalent")
    PARTIAL = "partial", _("Partial")


class Crosswalk(models.Model):
    """Indicator-to-indicator mappings between two standard versions."""

    crosswalk_id = models.CharField(_("crosswalk"), max_length=60, unique=True)
    source = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="crosswalks_from"
    )
    target = models.ForeignKey(
        StandardVersion, on_delete=models.CASCADE, related_name="crosswalks_to"
    )
    description = models.JSONField(_("description"))
    checksum = models.CharField(max_length=64)

    class Meta:
        ordering = ["crosswalk_id"]
        verbose_name = _("crosswalk")
        verbose_name_plural = _("crosswalks")

    def __str__(self) -> str:
        return f"{self.source.key} ↔ {self.target.key}"


class CrosswalkLink(models.Model):
    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    strength = models.CharField(_("strength"), max_length=12, choices=CrosswalkStrength.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["crosswalk", "source__position", "target__position"]
        constraints = [
            models.UniqueConstraint(fields=["crosswalk", "source", "target"], name="link_key")
        ]

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code} ({self.strength})"


def definition_json(definition: StandardDefinition | Any) -> Any:
    return definition.model_dump(mode="json", exclude_none=True)
