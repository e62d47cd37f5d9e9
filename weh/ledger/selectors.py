"""Reads of the stored transparency log: hashes, entries, checkpoints, tiles and proofs.

Every root, proof and tile is assembled by the pure modules (:mod:`weh.ledger.merkle`,
:mod:`weh.ledger.tiles`) from stored hashes fetched through :func:`read_hashes`, which answers
one batch of indexes with one query. Proofs are only served against published checkpoints: a
size nobody has a signature for proves nothing to anyone.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils.translation import gettext as _

from weh.core.errors import NotFound, ValidationFailed
from weh.ledger import merkle
from weh.ledger.hashcache import HashCache
from weh.ledger.models import Checkpoint, LogCounter, LogEntry, LogHash
from weh.ledger.tiles import Tile, encode_entry_bundle, read_tile, tile_width


class StorageError(RuntimeError):
    """The stored tree is missing hashes or entries it must have: storage was damaged."""


class UnknownEntry(NotFound):
    code = "log-entry-unknown"


class EntryNotYetCheckpointed(NotFound):
    code = "log-entry-not-yet-checkpointed"


class UnknownCheckpoint(NotFound):
    code = "log-checkpoint-unknown"


class NoCheckpoint(NotFound):
    code = "log-no-checkpoint"


UNION_LIMIT = 64
"""Up to this many hashes, SQLite reads them with one point lookup each (see _hash_sql)."""


@functools.lru_cache(maxsize=256)
def _hash_sql(vendor: str, count: int, ranges: int, placeholder: str) -> str:
    """The query reading ``count`` stored hashes by index and ``ranges`` runs [start, stop).

    PostgreSQL: ``= ANY(array)``, one statement for every length, so psycopg prepares it on
    the server after a few uses and PostgreSQL plans it once; each run is an ``OR``ed range,
    which the planner turns into index range scans. SQLite: for a proof-sized batch, a UNION
    ALL of rowid lookups, which measured a fifth faster than ``IN (…)`` (that builds a
    temporary index of the values first); for larger batches (tiles), ``IN (…)``; each run one
    more rowid range scan. Indexes and runs never overlap (see :mod:`weh.ledger.hashcache`).
    """
    qn = connection.ops.quote_name
    index = qn("index")
    # Only quoted model names and placeholders go into the text; the values are parameters.
    select = f"SELECT {index}, {qn('hash')} FROM {qn(LogHash._meta.db_table)} WHERE "  # noqa: S608
    between = f"({index} >= {placeholder} AND {index} < {placeholder})"
    if vendor == "postgresql":
        conditions = ([f"{index} = ANY({placeholder})"] if count else []) + [between] * ranges
        return select + " OR ".join(conditions)
    if count == 0:
        parts = []
    elif vendor == "sqlite" and count <= UNION_LIMIT:
        parts = [f"{select}{index} = {placeholder}"] * count
    else:
        parts = [f"{select}{index} IN ({', '.join([placeholder] * count)})"]
    return " UNION ALL ".join(parts + [select + between] * ranges)


# The placeholder each driver takes in a raw query (Django's cursor always takes %s).
_DRIVER_PLACEHOLDER = {"sqlite": "?", "postgresql": "%s"}


def fetch_hashes(indexes: list[int], ranges: list[tuple[int, int]]) -> dict[int, bytes]:
    """Return the stored hashes at ``indexes`` and in the runs ``ranges``, with one query.

    This is what every proof, root and tile reads, so it is the hot path of the proof API. A
    proof needs about 20 hashes, and the ORM's row building, Django's cursor wrapper and even
    the ``connection`` proxy cost more than the lookups themselves. So the query goes straight
    to the driver's connection, unless queries are being logged or an execute wrapper is
    installed (debug, tests, instrumentation): then it goes through Django's cursor like any
    query, with the same SQL.
    """
    if not indexes and not ranges:
        return {}
    conn = connections[DEFAULT_DB_ALIAS]  # resolve the thread's connection once
    vendor = conn.vendor
    params: list[object] = []
    if indexes:
        params.extend([list(indexes)] if vendor == "postgresql" else indexes)
    for start, stop in ranges:
        params += (start, stop)
    if conn.queries_logged or conn.execute_wrappers:
        with conn.cursor() as cursor:
            cursor.execute(_hash_sql(vendor, len(indexes), len(ranges), "%s"), params)
            rows = cursor.fetchall()
    else:
        driver = conn.connection
        if driver is None:
            conn.ensure_connection()
            driver = conn.connection
        placeholder = _DRIVER_PLACEHOLDER.get(vendor, "%s")
        sql = _hash_sql(vendor, len(indexes), len(ranges), placeholder)
        try:
            rows = driver.execute(sql, params).fetchall()
        except Exception:
            # Raise the driver's error as Django's (OperationalError and so on), as the ORM does.
            with conn.wrap_database_errors:
                raise
    return {index: bytes(value) for index, value in rows}


def read_hashes(indexes: list[int]) -> list[bytes]:
    """Return the stored hashes at ``indexes``, in that order, with one query.

    The :data:`weh.ledger.merkle.HashReader` of writers, which may read hashes their own
    transaction has just written; readers of published checkpoints go through
    :func:`checkpoint_reader`, which keeps what it reads.
    """
    found = fetch_hashes(indexes, [])
    try:
        return [found[index] for index in indexes]
    except KeyError as missing:
        raise StorageError(f"stored tree hash {missing} is missing") from None


@functools.cache
def hash_cache() -> HashCache:
    """This process's cache of stored hashes (``WEH_LOG_HASH_CACHE_MB``)."""
    return HashCache(max(settings.WEH_LOG_HASH_CACHE_MB, 0) << 20, missing=StorageError)


def _published_tree(size: int, root: bytes) -> bool:
    return Checkpoint.objects.filter(size=size, root_hash=root).exists()


def checkpoint_reader(checkpoint: Checkpoint) -> merkle.HashReader:
    """A hash reader for the tree of a published ``checkpoint``, through the process's cache.

    Everything under a published checkpoint is committed and never changes, so what is read
    is kept (bounded by ``WEH_LOG_HASH_CACHE_MB``). The cache follows the latest checkpoint
    asked for and empties itself if the stored log is not the one it kept hashes of (a log
    signs no two inconsistent checkpoints, so if the old checkpoint is still published, the
    tree extends it).
    """
    cache = hash_cache()
    size, root = checkpoint.size, bytes(checkpoint.root_hash)
    anchor = cache.anchor
    if anchor is not None and anchor[0] > size and _published_tree(*anchor):
        # An older checkpoint of the same log: the cache's tree extends it.
        return cache.reader(fetch_hashes)
    cache.anchor_at(size, root, _published_tree)
    return cache.reader(fetch_hashes)


def stored_hash_range(start: int, stop: int) -> list[bytes]:
    """Return stored hashes ``start`` … ``stop - 1`` (what a run of entries wrote), one query."""
    rows = LogHash.objects.filter(index__gte=start, index__lt=stop).order_by("index")
    values = list(rows.values_list("index", "hash"))
    if len(values) != stop - start:
        have = {index for index, _value in values}
        missing = next(i for i in range(start, stop) if i not in have)
        raise StorageError(f"stored tree hash {missing} is missing")
    return [bytes(value) for _index, value in values]


def entry_texts(start: int, stop: int) -> list[str]:
    """Return the texts of entries ``start`` … ``stop - 1``, in order, one query."""
    rows = LogEntry.objects.filter(index__gte=start, index__lt=stop).order_by("index")
    values = list(rows.values_list("index", "text"))
    if len(values) != stop - start:
        have = {index for index, _text in values}
        missing = next(i for i in range(start, stop) if i not in have)
        raise StorageError(f"log entry {missing} is missing")
    return [text for _index, text in values]


def log_size() -> int:
    """How many entries have been committed (the next index to be assigned)."""
    value = (
        LogCounter.objects.filter(name=LogCounter.SEQUENCER).values_list("value", flat=True).first()
    )
    if value is not None:
        return int(value)
    # No counter row yet (a fresh or flushed database): the entries say.
    last = LogEntry.objects.order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def latest_checkpoint() -> Checkpoint | None:
    """The checkpoint with the largest tree size, or None before the first one."""
    return Checkpoint.objects.order_by("-size").first()


def get_entry(index: int) -> LogEntry | None:
    """The entry at ``index``, or None."""
    return LogEntry.objects.filter(index=index).first()


def entries_about(subject: str) -> list[LogEntry]:
    """Every entry about ``subject`` (e.g. ``recognition:WEH-…``), oldest first."""
    return list(LogEntry.objects.filter(subject=subject).order_by("index"))


# --- tiles -----------------------------------------------------------------------------------


def tile_data(tile: Tile, checkpoint: Checkpoint) -> bytes | None:
    """A tile's bytes in the tree of ``checkpoint``, or None if it has not that width.

    Any width up to the one at ``size`` is served: a partial tile's hashes never change once
    written, so it is the same bytes whichever checkpoint a client holds.
    """
    if tile_width(tile.level, tile.index, checkpoint.size) < tile.width:
        return None
    if tile.is_entries:
        start, stop = tile.leaf_range
        return encode_entry_bundle(text.encode("utf-8") for text in entry_texts(start, stop))
    return read_tile(tile, checkpoint_reader(checkpoint))


# --- proofs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InclusionProof:
    """An entry, its leaf hash and its path to the root of a published checkpoint."""

    entry: LogEntry
    leaf_hash: bytes
    proof: list[bytes]
    checkpoint: Checkpoint


@dataclass(frozen=True)
class ConsistencyProof:
    """The proof that checkpoint ``second`` extends checkpoint ``first``."""

    first: Checkpoint
    second: Checkpoint
    proof: list[bytes]


def _latest_or_404() -> Checkpoint:
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        raise NoCheckpoint(_("The log has no checkpoint yet; nothing can be proved."))
    return checkpoint


def inclusion(index: int) -> InclusionProof:
    """The inclusion proof of entry ``index`` in the latest checkpoint.

    Two queries (the entry, the checkpoint), and a third for the hashes unless the process
    has them already (see :func:`checkpoint_reader`).
    """
    entry = get_entry(index)
    if entry is None:
        size = log_size()
        raise UnknownEntry(
            _("There is no log entry %(index)s; the log holds %(size)s entries, numbered from 0.")
            % {"index": index, "size": size}
        )
    checkpoint = _latest_or_404()
    if index >= checkpoint.size:
        raise EntryNotYetCheckpointed(
            _(
                "Entry %(index)s is recorded but not yet covered by a signed checkpoint (the "
                "latest has %(size)s entries). A checkpoint follows shortly; ask again then."
            )
            % {"index": index, "size": checkpoint.size}
        )
    # The leaf hash rides along with the proof's hashes: one query for both.
    leaf_index = merkle.stored_hash_index(0, index)
    leaf: list[bytes] = []

    stored = checkpoint_reader(checkpoint)

    def read(indexes: list[int]) -> list[bytes]:
        *hashes, own = stored([*indexes, leaf_index])
        leaf.append(own)
        return hashes

    proof = merkle.inclusion_proof(index, checkpoint.size, read)
    if not leaf:  # a tree of one entry: the proof is empty and nothing was read
        leaf = list(stored([leaf_index]))
    return InclusionProof(entry=entry, leaf_hash=leaf[0], proof=proof, checkpoint=checkpoint)


def _published(size: int, field: str) -> Checkpoint:
    checkpoint = Checkpoint.objects.filter(size=size).first()
    if checkpoint is None:
        raise UnknownCheckpoint(
            _(
                "No checkpoint of size %(size)s was published ('%(field)s'). Use the size of a "
                "checkpoint you hold; GET /api/v1/log/checkpoint gives the latest."
            )
            % {"size": size, "field": field}
        )
    return checkpoint


def consistency(first: int, second: int | None = None) -> ConsistencyProof:
    """The consistency proof from the checkpoint of size ``first`` to ``second`` (or latest)."""
    if first < 1:
        raise ValidationFailed(
            {"from": [_("Consistency is proved from a non-empty tree: 'from' must be 1 or more.")]}
        )
    if second is not None and first > second:
        raise ValidationFailed(
            {
                "from": [
                    _("'from' (%(first)s) is larger than 'to' (%(second)s); a log only grows.")
                    % {"first": first, "second": second}
                ]
            }
        )
    new = _latest_or_404() if second is None else _published(second, "to")
    if first > new.size:
        raise ValidationFailed(
            {
                "from": [
                    _("'from' (%(first)s) is larger than the latest checkpoint (%(size)s).")
                    % {"first": first, "size": new.size}
                ]
            }
        )
    old = _published(first, "from")
    proof = merkle.consistency_proof(old.size, new.size, checkpoint_reader(new))
    return ConsistencyProof(first=old, second=new, proof=proof)
