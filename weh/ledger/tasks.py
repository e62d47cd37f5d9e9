"""Background work of the transparency log: signing checkpoints.

Every transaction that appends entries enqueues ``publish_checkpoint_task`` once it commits.
With the immediate backend (the default) a checkpoint thus follows each such transaction; with
a queue, workers sign them. ``WEH_LOG_CHECKPOINT_INTERVAL`` (seconds) batches them: within that
time of the last checkpoint the task is deferred to the end of the interval where the backend
can defer tasks, and otherwise skipped, leaving the entries to the next commit or to
``weh log publish`` run from cron.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from weh.ledger import selectors, services

DEFERRED_KEY = "weh:ledger:checkpoint-deferred"


@task()
def publish_checkpoint_task() -> dict[str, object]:
    """Sign a checkpoint if the log grew (see services.publish_checkpoint)."""
    interval = settings.WEH_LOG_CHECKPOINT_INTERVAL
    if interval > 0:
        latest = selectors.latest_checkpoint()
        due = latest.created_at + timedelta(seconds=interval) if latest else None
        if due is not None and due > timezone.now():
            return _defer(due, interval)
    checkpoint = services.publish_checkpoint()
    if checkpoint is None:
        return {"published": None}
    return {"published": checkpoint.size}


def _defer(due: datetime, interval: int) -> dict[str, object]:
    backend = publish_checkpoint_task.get_backend()
    if not backend.supports_defer:
        return {"published": None, "skipped": "a checkpoint was signed less than the interval ago"}
    # One deferred task per interval is enough: it signs whatever was appended meanwhile.
    if cache.add(DEFERRED_KEY, True, timeout=interval):
        publish_checkpoint_task.using(run_after=due).enqueue()
    return {"published": None, "deferred_until": str(due)}
