from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from weh.review.tasks import daily_review


class Command(BaseCommand):
    help = "Review housekeeping. `weh review daily [--today YYYY-MM-DD] [--enqueue]`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        daily = sub.add_parser("daily", help="expire recognitions and send due notices")
        daily.add_argument("--today", help="run as if on this date (YYYY-MM-DD)")
        daily.add_argument("--enqueue", action="store_true", help="hand the work to the task queue")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = daily_review.enqueue(options["today"])
            self.stdout.write(f"enqueued task {result.id}")
            return
        outcome = daily_review.call(options["today"])
        expired = outcome["expired"]
        self.stdout.write(
            f"expired {len(expired)} recognition(s){': ' + ', '.join(expired) if expired else ''}; "
            f"sent {outcome['notices']} notice(s)"
        )
