"""Background work through a real task queue: Redis at 127.0.0.1:6379 and an RQ worker.

The review's writes enqueue checkpoint signing; the daily task expires recognitions. Nothing runs
until the worker takes the jobs.
"""

from __future__ import annotations

from datetime import timedelta

import django_rq
import pytest
from django.test import override_settings
from django_tasks import TaskResultStatus, task_backends
from django_tasks_rq.backend import Job
from rq import SimpleWorker

from tests.review.conftest import Cast, recognised
from weh.ledger.models import Checkpoint, LogEntry
from weh.review.tasks import daily_review

QUEUE = "default"  # the queue every WEH task names
REDIS = {QUEUE: {"URL": "redis://127.0.0.1:6379/15"}}


@pytest.fixture
def redis_queue():  # type: ignore[no-untyped-def]
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [QUEUE]}},
        RQ_QUEUES=REDIS,
    ):
        queue = django_rq.get_queue(QUEUE, job_class=Job)
        queue.empty()
        yield queue
        queue.empty()
    task_backends._backends = {}  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_daily_review_expires_recognitions_through_redis(cast: Cast, redis_queue) -> None:  # type: ignore[no-untyped-def]
    cast_log_size = LogEntry.objects.count()
    recognition = recognised(cast)
    after = (recognition.valid_until + timedelta(days=1)).isoformat()

    result = daily_review.enqueue(after)
    assert result.status == TaskResultStatus.READY
    waiting = redis_queue.count
    assert waiting >= 2  # checkpoint signing after each committed step, and the daily task
    # The catalog was loaded (and its checkpoint signed) before the queue was configured; the
    # review's entries wait for the worker.
    assert Checkpoint.objects.order_by("-size").first().size <= cast_log_size
    recognition.refresh_from_db()
    assert recognition.status == "active"

    SimpleWorker([redis_queue], connection=redis_queue.connection, job_class=Job).work(burst=True)
    assert redis_queue.count == 0

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"expired": [recognition.serial], "notices": 0}
    recognition.refresh_from_db()
    assert recognition.status == "expired"
    latest = Checkpoint.objects.order_by("-size").first()
    assert latest is not None
    assert latest.size >= recognition.log_index + 1
