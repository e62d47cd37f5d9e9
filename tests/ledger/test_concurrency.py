"""Concurrent writers: indexes stay contiguous and unique, and the tree stays right.

Each thread has its own database connection and commits its own transactions, as web workers
do. On PostgreSQL the sequencer row's ``SELECT … FOR UPDATE`` serialises them; on SQLite the
database does (one writer at a time, ``BEGIN IMMEDIATE``). CI runs this file on both.

The SQLite test database is in memory, in shared-cache mode, where a second writer is refused at
once ("database table is locked") instead of waiting out the busy timeout as it does on the file
database WEH runs on. There, and only there, :func:`committed` retries such a transaction from
the start, which is what the busy timeout does for a file database.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError, connection, transaction

from weh.ledger import merkle, selectors
from weh.ledger.merkle import Tree
from weh.ledger.models import Checkpoint, LogEntry, LogHash
from weh.ledger.note import Signer, open_checkpoint
from weh.ledger.services import NewEntry, append_entries, append_entry, publish_checkpoint

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "weh.test/log"
THREADS = 6
PER_THREAD = 15


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path: Path) -> Signer:  # type: ignore[no-untyped-def]
    signer = Signer.generate(ORIGIN)
    settings.WEH_LOG_ORIGIN = ORIGIN
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    return signer


def run_threads(work: list[object]) -> list[BaseException]:
    """Run each callable in its own thread, released together; return what they raised."""
    barrier = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def run(job: object) -> None:
        try:
            barrier.wait()
            job()  # type: ignore[operator]
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def committed(work: Callable[[], None]) -> None:
    """Run ``work`` in a transaction (see the module docstring for SQLite's retries)."""
    while True:
        try:
            with transaction.atomic():
                work()
            return
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            time.sleep(0.002)


def writer(worker: int) -> None:
    def decide(i: int) -> None:
        # A business write next to the entry, as a service does.
        group = Group.objects.create(name=f"w{worker}-{i}")
        append_entry(kind="test.event", subject=f"group:{group.pk}", content={"w": worker})

    for i in range(PER_THREAD):
        committed(lambda i=i: decide(i))


def check_log(size: int, log_key: Signer) -> None:
    # On SQLite a checkpoint task may have met the lock too (it is logged, not raised); the
    # next commit or `weh log publish` signs what it left. Do that now.
    publish_checkpoint()
    indexes = list(LogEntry.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(size))
    tree = Tree()
    tree.extend(
        t.encode() for t in LogEntry.objects.order_by("index").values_list("text", flat=True)
    )
    stored = [bytes(h) for h in LogHash.objects.order_by("index").values_list("hash", flat=True)]
    assert stored == tree.read_hashes(list(range(merkle.stored_hash_count(size))))
    # Every committed transaction enqueued a checkpoint; they were signed in size order and
    # each extends the one before.
    checkpoints = list(Checkpoint.objects.order_by("created_at", "id"))
    sizes = [c.size for c in checkpoints]
    assert sizes == sorted(sizes)
    assert sizes[-1] == size
    for checkpoint in checkpoints:
        body, _note = open_checkpoint(checkpoint.note, origin=ORIGIN, log=log_key.verifier)
        assert body.root_hash == tree.root(body.size)
    assert merkle.tree_root(size, selectors.read_hashes) == tree.root()


def test_concurrent_single_appends_are_contiguous_and_unique(log_key: Signer) -> None:
    errors = run_threads([lambda w=w: writer(w) for w in range(THREADS)])
    assert errors == []
    assert Group.objects.count() == THREADS * PER_THREAD
    check_log(THREADS * PER_THREAD, log_key)
    # Each entry sits beside its own business write.
    subjects = set(LogEntry.objects.values_list("subject", flat=True))
    assert subjects == {f"group:{pk}" for pk in Group.objects.values_list("pk", flat=True)}


def test_concurrent_appends_with_rollbacks_leave_no_gaps(log_key: Signer) -> None:
    def flaky(worker: int) -> None:
        def decide(i: int) -> None:
            append_entry(kind="test.event", subject=f"subject:{worker}-{i}", content={})
            if i % 3 == 0:
                raise LookupError("the business write failed")

        for i in range(PER_THREAD):
            with contextlib.suppress(LookupError):
                committed(lambda i=i: decide(i))

    def bulk(worker: int) -> None:
        for i in range(3):
            committed(
                lambda i=i: append_entries(
                    NewEntry("bulk.event", f"subject:b{worker}-{i}-{j}", {}) for j in range(7)
                )
            )

    work = [lambda w=w: flaky(w) for w in range(THREADS // 2)]
    work += [lambda w=w: bulk(w) for w in range(THREADS // 2)]
    errors = run_threads(work)
    assert errors == []
    kept = (THREADS // 2) * (PER_THREAD - len(range(0, PER_THREAD, 3)))
    check_log(kept + (THREADS // 2) * 3 * 7, log_key)
