from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test import override_settings

from weh.demo.load import demo_loaded, load_demo


class Command(BaseCommand):
    help = "Load the demo data set: organisations, users for each role, subjects, assessments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds organisations or subjects.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_loaded():
            if options["if_empty"]:
                self.stdout.write("The database already has data; the demo was not loaded.")
                return
            self.stderr.write("The database already has data. Use a fresh database for the demo.")
            raise SystemExit(1)
        # The demo's notices stay in the inbox: nobody should be e-mailed for invented events.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            counts = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                "Demo loaded: {organisations} organisations, {users} users, "
                "{memberships} memberships, {subjects} subjects, "
                "{assessments} assessments, {recognitions} recognitions, "
                "{commitments} funding commitments.".format(**counts)
            )
        )
