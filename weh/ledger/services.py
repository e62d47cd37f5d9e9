"""Writes to the transparency log: appending entries, and signing checkpoints.

Appending happens inside the caller's transaction. A service that decides something the public
must be able to check (a recognition granted, a disbursement made) calls :func:`append_entry`
next to its own writes, within its ``transaction.atomic`` block: the entry, its index and its
tree hashes commit or roll back together with the decision. Call it last, just before the
block ends: the sequencer row stays locked until the transaction commits, so every other writer
of the log waits that long.

What goes in an entry is public forever and can never be removed. Pass references
(``recognition:WEH-…``, ``subject:42``) and hashes, never personal data: the full record is
committed to by ``content_sha256`` only, and ``facts`` holds a few public, non-personal values
(a level, an amount, a currency). Where a value about a person must be provable, pass a salted
hash of it, with the salt kept next to the record.

Checkpoints are signed by :func:`publish_checkpoint`, normally through the task
``publish_checkpoint_task`` that every committing transaction which appended enqueues.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from weh.ledger import keys, merkle, selectors, witness
from weh.ledger.models import Checkpoint, LogCounter, LogEntry, LogHash
from weh.ledger.note import Checkpoint as CheckpointBody
from weh.ledger.note import NoteError, open_checkpoint, sign_checkpoint
from weh.review.certificate import canonical_json

logger = logging.getLogger("weh.ledger")

MAX_ENTRY_BYTES = 4096
"""Largest entry, in bytes of canonical JSON: a reference, a hash and a few facts fit easily."""

KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")
"""Entry types: dotted lower-case words, e.g. ``recognition.granted``."""

SUBJECT_PATTERN = re.compile(r"[a-z][a-z0-9_-]{0,39}:[\x21-\x7e]{1,150}")
"""Subject references: ``<kind>:<id>`` in printable ASCII, e.g. ``recognition:WEH-2025-0001``."""

BULK_CHUNK = 2000
"""Rows per INSERT batch in :func:`append_entries` (stays below every backend's parameter cap)."""

VERIFY_CHUNK = 4096
"""Entries re-hashed per step when a checkpoint is checked against the stored entries."""


class LogIntegrityError(RuntimeError):
    """The stored log does not extend the latest checkpoint: nothing was signed."""


@dataclass(frozen=True)
class NewEntry:
    """One entry for :func:`append_entries` (same meaning as :func:`append_entry`'s arguments)."""

    kind: str
    subject: str
    content: Mapping[str, Any]
    facts: Mapping[str, Any] | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class _Encoded:
    text: str
    kind: str
    subject: str
    content_sha256: str
    recorded_at: datetime


# --- entries ---------------------------------------------------------------------------------


def content_sha256(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of ``content``: what an entry commits to."""
    return hashlib.sha256(canonical_json(dict(content))).hexdigest()


def entry_timestamp(at: datetime) -> str:
    """The entry form of a time: UTC, whole seconds, ``YYYY-MM-DDTHH:MM:SSZ``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_entry(
    *,
    kind: str,
    subject: str,
    content: Mapping[str, Any],
    facts: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> str:
    """Return the canonical JSON text of an entry (what :func:`append_entry` stores)."""
    return _encode(kind, subject, content, facts, at).text


def _encode(
    kind: str,
    subject: str,
    content: Mapping[str, Any],
    facts: Mapping[str, Any] | None,
    at: datetime | None,
    now: datetime | None = None,
) -> _Encoded:
    # Wrong arguments are a programming error in the calling service, not user input.
    if not isinstance(kind, str) or len(kind) > 64 or not KIND_PATTERN.fullmatch(kind):
        raise ValueError(f"log entry type {kind!r} is not dotted lower-case words (≤ 64 chars)")
    if not isinstance(subject, str) or not SUBJECT_PATTERN.fullmatch(subject):
        raise ValueError(
            f"log entry subject {subject!r} is not a reference like 'recognition:WEH-0001'"
        )
    if not isinstance(content, Mapping):
        raise ValueError("log entry content must be a JSON object (a mapping)")
    if facts is not None and not isinstance(facts, Mapping):
        raise ValueError("log entry facts must be a JSON object (a mapping)")
    when = at or now or timezone.now()
    if timezone.is_naive(when):
        raise ValueError("log entry time must be timezone-aware")
    when = when.astimezone(UTC).replace(microsecond=0)
    # canonical_json refuses floats, NaN, huge integers and non-string keys, naming the path.
    digest = content_sha256(content)
    summary = canonical_json(dict(facts)).decode("utf-8") if facts else "{}"
    # The entry is canonical_json of {type, timestamp, subject, content_sha256, summary}, written
    # out here in sorted key order: the other members are validated above and need no escaping
    # but the subject's quotes and backslashes, and checking them again costs as much as the
    # rest of an append (tests compare this with canonical_json).
    data = (
        f'{{"content_sha256":"{digest}","subject":{json.dumps(subject)},"summary":{summary},'
        f'"timestamp":"{entry_timestamp(when)}","type":"{kind}"}}'
    ).encode()
    if len(data) > MAX_ENTRY_BYTES:
        raise ValueError(
            f"log entry is {len(data)} bytes; at most {MAX_ENTRY_BYTES}: keep 'facts' to a few "
            "short public values and commit to the rest through the content hash"
        )
    return _Encoded(data.decode("utf-8"), kind, subject, digest, when)


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "append the log entry inside the transaction of the write it records "
            "(call it within the service's transaction.atomic block)"
        )


def _lock_counter(name: str) -> int:
    """Lock the counter row ``name`` until the transaction ends; return its value.

    The row is created on first use (and after a test flush). INSERT … ON CONFLICT DO NOTHING
    lets two first writers race safely: the loser waits for the winner's row, then locks it.
    """
    locked = LogCounter.objects.select_for_update().filter(name=name)
    values = list(locked.values_list("value", flat=True))
    if not values:
        if name == LogCounter.SEQUENCER:
            last = LogEntry.objects.aggregate(last=Max("index"))["last"]
            initial = 0 if last is None else last + 1
        else:
            initial = Checkpoint.objects.aggregate(size=Max("size"))["size"] or 0
        LogCounter.objects.bulk_create(
            [LogCounter(name=name, value=initial)], ignore_conflicts=True
        )
        values = list(locked.values_list("value", flat=True))
    return int(values[0])


def _set_counter(name: str, value: int) -> None:
    LogCounter.objects.filter(name=name).update(value=value)


def append_entry(
    *,
    kind: str,
    subject: str,
    content: Mapping[str, Any],
    at: datetime | None = None,
    facts: Mapping[str, Any] | None = None,
) -> LogEntry:
    """Record one entry in the log, inside the caller's transaction; return it with its index.

    - ``kind``: the entry ``type``, dotted lower-case words (``recognition.granted``).
    - ``subject``: a reference, ``<kind>:<id>`` (``recognition:WEH-2025-0001``, ``subject:42``).
    - ``content``: the full record, as JSON-ready data (no floats: amounts as strings). Only its
      SHA-256 (``content_sha256`` of its canonical JSON) enters the log, so keep the record: it
      is what a reader checks against the entry.
    - ``facts``: optional small map of public, non-personal values, logged as ``summary``.
    - ``at``: when it happened (aware; default now), logged in UTC to the second.

    Must be called inside a transaction (RuntimeError otherwise). The entry's own writes run in
    a savepoint: if they fail, nothing of the entry remains and the exception propagates; if the
    caller's transaction rolls back, the entry and its index go with it, and the next entry
    takes that index (no gaps). The returned index is the one the entry keeps once the caller's
    transaction commits. After that commit, a checkpoint is signed (task
    ``publish_checkpoint_task``).
    Raises ValueError for arguments that do not make a valid entry.
    """
    encoded = _encode(kind, subject, content, facts, at)
    _require_transaction()
    data = encoded.text.encode("utf-8")
    with transaction.atomic():
        index = _lock_counter(LogCounter.SEQUENCER)
        # The leaf hash plus one node per subtree this leaf completes; the left halves come
        # from storage in one query (none at all for even indexes).
        hashes = merkle.stored_hashes_for_record(
            index, merkle.leaf_hash(data), selectors.read_hashes
        )
        entry = LogEntry.objects.create(
            index=index,
            kind=encoded.kind,
            subject=encoded.subject,
            content_sha256=encoded.content_sha256,
            recorded_at=encoded.recorded_at,
            text=encoded.text,
        )
        first = merkle.stored_hash_count(index)
        LogHash.objects.bulk_create(
            [LogHash(index=first + i, hash=h) for i, h in enumerate(hashes)]
        )
        _set_counter(LogCounter.SEQUENCER, index + 1)
    _schedule_checkpoint()
    return entry


def append_entries(entries: Iterable[NewEntry]) -> range:
    """Record many entries at once (imports, benchmarks); return their indexes.

    Same guarantees as :func:`append_entry`: called inside the caller's transaction, all or
    nothing, contiguous indexes in the order given. Every entry is validated before anything
    is written. The tree hashes are computed in memory from the current frontier (the roots of
    the complete subtrees, read in one query) and inserted in batches.
    """
    now = timezone.now()
    encoded = [_encode(e.kind, e.subject, e.content, e.facts, e.at, now) for e in entries]
    _require_transaction()
    if not encoded:
        return range(0)
    with transaction.atomic():
        first = _lock_counter(LogCounter.SEQUENCER)
        frontier = selectors.read_hashes(merkle.subtree_hash_indexes(0, first))
        leaves = [merkle.leaf_hash(e.text.encode("utf-8")) for e in encoded]
        hashes = _extend(frontier, first, leaves)
        adapt = connection.ops.adapt_datetimefield_value
        _insert(
            LogEntry,
            ("index", "kind", "subject", "content_sha256", "recorded_at", "text"),
            (
                (first + i, e.kind, e.subject, e.content_sha256, adapt(e.recorded_at), e.text)
                for i, e in enumerate(encoded)
            ),
        )
        start = merkle.stored_hash_count(first)
        _insert(LogHash, ("index", "hash"), ((start + i, h) for i, h in enumerate(hashes)))
        _set_counter(LogCounter.SEQUENCER, first + len(encoded))
    _schedule_checkpoint()
    return range(first, first + len(encoded))


def _extend(frontier: Sequence[bytes], size: int, leaves: Iterable[bytes]) -> list[bytes]:
    """Return the stored hashes written when ``leaves`` are appended to a tree of ``size``.

    ``frontier`` holds the roots of the tree's complete subtrees, largest first (the stored
    hashes at merkle.subtree_hash_indexes(0, size)). Each leaf is stored, then one node per
    trailing 1 bit of its index, each joining the newest frontier root with the hash so far:
    the loop of merkle.Tree.extend, over a frontier read from storage.
    """
    stack = list(frontier)
    pop = stack.pop
    push = stack.append
    out: list[bytes] = []
    store = out.append
    sha = hashlib.sha256
    n = size
    for leaf in leaves:
        store(leaf)
        h = leaf
        i = n
        while i & 1:
            h = sha(b"\x01" + pop() + h).digest()
            store(h)
            i >>= 1
        push(h)
        n += 1
    return out


def _insert(model: type[Any], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert many rows fast: COPY on PostgreSQL, executemany in batches elsewhere.

    Not bulk_create: building a model instance per row would cost more than the insert itself
    at 300,000 rows per 100,000 entries. Values must already be in database form.
    """
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with (
            connection.wrap_database_errors,
            connection.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    # Only quoted model names and placeholders go into the text; the values are parameters.
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BULK_CHUNK:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _schedule_checkpoint() -> None:
    """Have a checkpoint signed once the caller's transaction commits (once per transaction)."""
    conn = transaction.get_connection()
    pending = getattr(conn, "run_on_commit", [])
    # A callback registered in a savepoint that rolled back is gone from this list, so a later
    # append in the same transaction registers it again.
    if any(len(item) > 1 and item[1] is _enqueue_checkpoint for item in pending):
        return
    # robust: a queue that cannot be reached must not turn a committed decision into an error
    # page; the failure is logged and `weh log publish` (cron) signs the entries later.
    transaction.on_commit(_enqueue_checkpoint, robust=True)


def _enqueue_checkpoint() -> None:
    from weh.ledger.tasks import publish_checkpoint_task

    publish_checkpoint_task.enqueue()


# --- checkpoints -----------------------------------------------------------------------------


def publish_checkpoint() -> Checkpoint | None:
    """Sign a checkpoint of the log as it is now, if it grew; return it (None if it did not).

    Before signing, the new tree is checked to extend the latest published one: the stored
    hashes must still give the latest checkpoint's root; every entry since then is re-hashed
    from its stored text and must give exactly the stored tree hashes; and the consistency
    proof from the latest checkpoint, built from storage, must verify. Any failure raises
    LogIntegrityError (logged as critical) and signs nothing, so two inconsistent checkpoints
    are never published. The first call on an empty log publishes the empty tree.
    """
    signer = keys.log_signer()  # a configuration error surfaces before any lock is taken
    origin = settings.WEH_LOG_ORIGIN
    with transaction.atomic():
        # Publishers queue here, so checkpoints are signed one at a time and in size order.
        _lock_counter(LogCounter.PUBLISHER)
        latest = selectors.latest_checkpoint()
        size = selectors.log_size()
        old_size = latest.size if latest else 0
        if latest is not None and size == old_size:
            return None
        try:
            root = _checked_root(latest, size, signer.verifier, origin)
        except LogIntegrityError as error:
            logger.critical("Transparency log: checkpoint NOT signed. %s", error)
            raise
        body = CheckpointBody(origin, size, root)
        checkpoint = Checkpoint.objects.create(
            size=size, root_hash=root, note=sign_checkpoint(body, [signer])
        )
        _set_counter(LogCounter.PUBLISHER, size)
    logger.info("Transparency log: signed checkpoint %s", size)
    # Witnesses (WEH_LOG_WITNESSES) are asked by a task once this commits, never in here.
    witness.schedule_cosignatures(size)
    return checkpoint


def _checked_root(latest: Checkpoint | None, size: int, verifier: Any, origin: str) -> bytes:
    """The root of the stored tree of ``size``, once it is shown to extend ``latest``."""
    old_size = 0
    old_root = merkle.EMPTY_ROOT
    if latest is not None:
        try:
            previous, _note = open_checkpoint(latest.note, origin=origin, log=verifier)
        except NoteError as error:
            raise LogIntegrityError(
                f"the latest checkpoint (size {latest.size}) does not verify with the configured "
                f"key and origin {origin!r} ({error}). A log keeps one key and one origin for "
                "life: restore WEH_LOG_KEY / WEH_LOG_ORIGIN, or start a new log."
            ) from None
        old_size, old_root = previous.size, previous.root_hash
        if size < old_size:
            raise LogIntegrityError(
                f"the log holds {size} entries, fewer than the {old_size} of the latest "
                "checkpoint: entries were removed"
            )
    # 1. The stored hashes of the published tree still give its signed root.
    frontier_indexes = merkle.subtree_hash_indexes(0, old_size)
    frontier = selectors.read_hashes(frontier_indexes)
    if merkle.tree_root(old_size, lambda _indexes: frontier) != old_root:
        raise LogIntegrityError(
            f"the stored tree hashes no longer give the root of checkpoint {old_size}: "
            "a stored hash was altered"
        )
    # 2. Every entry since then, re-hashed from its text, gives the stored hashes exactly.
    known = dict(zip(frontier_indexes, frontier, strict=True))
    for start in range(old_size, size, VERIFY_CHUNK):
        stop = min(start + VERIFY_CHUNK, size)
        known = _check_chunk(start, stop, known)
    # 3. The consistency proof from the published tree, from storage, verifies.
    root = merkle.tree_root(size, selectors.read_hashes)
    if old_size:
        proof = merkle.consistency_proof(old_size, size, selectors.read_hashes)
        try:
            merkle.verify_consistency(old_size, size, proof, old_root, root)
        except merkle.ProofError as error:
            raise LogIntegrityError(
                f"the stored tree of {size} entries is not consistent with checkpoint "
                f"{old_size}: {error}"
            ) from None
    return root


def _check_chunk(start: int, stop: int, known: dict[int, bytes]) -> dict[int, bytes]:
    """Re-hash entries [start, stop) and compare with storage; return the frontier at ``stop``.

    Uses merkle.stored_hashes_for_record, not the appenders' code, so a fault there is caught.
    """
    texts = selectors.entry_texts(start, stop)
    first_hash = merkle.stored_hash_count(start)
    stored = selectors.stored_hash_range(first_hash, merkle.stored_hash_count(stop))
    computed: list[bytes] = []

    def read(indexes: list[int]) -> list[bytes]:
        return [known[i] for i in indexes]

    for offset, text in enumerate(texts):
        n = start + offset
        hashes = merkle.stored_hashes_for_record(n, merkle.leaf_hash(text.encode("utf-8")), read)
        base = merkle.stored_hash_count(n)
        for i, h in enumerate(hashes):
            known[base + i] = h
        computed.extend(hashes)
    for position, (mine, theirs) in enumerate(zip(computed, stored, strict=True)):
        if mine != theirs:
            index = first_hash + position
            level, node = merkle.split_stored_hash_index(index)
            raise LogIntegrityError(
                f"stored tree hash {index} (level {level}, node {node}) does not match the "
                f"stored entries: entry text or tree hash was altered near entry "
                f"{node << level}"
            )
    return {i: known[i] for i in merkle.subtree_hash_indexes(0, stop)}
