from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve WEH with gunicorn (production server, static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("WEH_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEH_WORKERS", 2)))

    def handle(self, *args: Any, **options: Any) -> None:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        self.stdout.write(f"Serving WEH at http://{options['bind']}/")
        os.execv(  # noqa: S606 - replaces this process with the server, arguments are ours
            gunicorn,
            [
                gunicorn,
                "weh.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
            ],
        )
