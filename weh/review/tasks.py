"""Scheduled review work: expiry of recognitions and notices of checks and renewals due.

Run daily (``weh review daily`` from cron, or enqueue ``daily_review`` on the task queue).
"""

from __future__ import annotations

from datetime import date

from django_tasks import task

from weh.review import services


@task()
def daily_review(today: str | None = None) -> dict[str, object]:
    """Expire what has run out, then send the notices that are due. Safe to run twice a day."""
    day = date.fromisoformat(today) if today else None
    expired = services.expire_recognitions(today=day)
    notices = services.send_due_notices(today=day)
    return {"expired": expired, "notices": notices}
