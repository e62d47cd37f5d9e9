from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weh.standards import selectors
from weh.standards.models import in_language
from weh.standards.services import CatalogError, load_catalog


class Command(BaseCommand):
    help = "Load, list or show the standards of the catalog."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Load every catalog file (idempotent).")
        sub.add_parser("list", help="List the loaded standard versions.")
        show = sub.add_parser("show", help="Print a standard's hierarchy: ID or ID@VERSION.")
        show.add_argument("key")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load":
            try:
                report = load_catalog()
            except CatalogError as error:
                raise CommandError(str(error)) from None
            for label, keys in (
                ("created", report.created),
                ("updated", report.updated),
                ("unchanged", report.unchanged),
                ("crosswalks", report.crosswalks),
            ):
                if keys:
                    self.stdout.write(f"{label}: {', '.join(keys)}")
            return
        if action == "list":
            for version in selectors.list_standard_versions():
                definition = version.parsed()
                self.stdout.write(
                    f"{version.key:28} {in_language(version.title, 'en')} — "
                    f"{len(definition.all_criteria())} criteria, "
                    f"{len(definition.indicators())} indicators"
                )
            return
        try:
            version = selectors.get_standard_version(options["key"])
        except LookupError as error:
            raise CommandError(str(error)) from None
        definition = version.parsed()
        self.stdout.write(f"{definition.key}  {in_language(definition.title, 'en')}")
        self.stdout.write(f"publisher: {in_language(definition.publisher, 'en')}")
        scale = ", ".join(f"{r.code}={r.points}" for r in definition.rating_scale.ratings)
        self.stdout.write(f"ratings: {scale}")
        for component in definition.components or []:
            self.stdout.write(f"{component.code} {in_language(component.title, 'en')}")
            self._criteria(component.criteria, indent="  ")
        if definition.criteria:
            self._criteria(definition.criteria, indent="")
        outcomes = ", ".join(o.code for o in definition.outcomes)
        self.stdout.write(f"outcomes: {outcomes}")

    def _criteria(self, criteria: list[Any], *, indent: str) -> None:
        for criterion in criteria:
            self.stdout.write(f"{indent}{criterion.code} {in_language(criterion.title, 'en')}")
            for indicator in criterion.indicators:
                statement = in_language(indicator.statement, "en")
                self.stdout.write(f"{indent}  {indicator.code} {statement}")
