"""The stored transparency log: entries, the Merkle tree's stored hashes, counters, checkpoints.

The tree itself lives in :class:`LogHash`, one row per stored hash in the layout of
:mod:`weh.ledger.merkle` (Go's sumdb/tlog layout): every hash of every complete subtree, written
once and never changed. Roots, proofs and tiles are assembled from O(log n) of these rows, read
in one query. Rows are only ever inserted by :mod:`weh.ledger.services`; nothing updates or
deletes them (the admin is read-only).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PositionField(models.BigIntegerField):  # type: ignore[type-arg]
    """A 64-bit position used as primary key; on SQLite, the table's own rowid.

    SQLite makes a column declared exactly ``integer PRIMARY KEY`` an alias of the rowid, so a
    row is found with one B-tree search instead of two (index, then table) and appending in
    order writes at the end of one B-tree. SQLite integers are 64-bit; elsewhere the column
    is a ``bigint``.
    """

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class LogEntry(models.Model):
    """One entry of the log: the exact canonical JSON bytes whose leaf hash is in the tree."""

    # The primary key doubles as the UNIQUE index on the position: two writers can never both
    # commit the same index, whatever the sequencer does.
    index = PositionField(_("index"), primary_key=True)
    kind = models.CharField(_("type"), max_length=64)
    # Indexed: "show me everything about this recognition". Type and content hash are not: an
    # index costs every append, and neither is looked up on a hot path.
    subject = models.CharField(_("subject"), max_length=200, db_index=True)
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)
    recorded_at = models.DateTimeField(_("recorded at"))
    # Canonical JSON is plain UTF-8 text with control characters escaped, so a text column
    # returns exactly the bytes that were hashed (re-encoded as UTF-8).
    text = models.TextField(_("entry (canonical JSON)"))

    class Meta:
        verbose_name = _("log entry")
        verbose_name_plural = _("log entries")
        ordering = ["index"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(index__gte=0), name="ledger_logentry_index_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind} {self.subject}"

    @property
    def data(self) -> bytes:
        """The entry bytes, as hashed into the tree and served in entry bundles."""
        return str(self.text).encode("utf-8")


class LogHash(models.Model):
    """Stored hash ``index`` of the tree (see :func:`weh.ledger.merkle.stored_hash_index`)."""

    index = PositionField(_("index"), primary_key=True)
    hash = models.BinaryField(_("hash"), max_length=32)

    class Meta:
        verbose_name = _("stored tree hash")
        verbose_name_plural = _("stored tree hashes")

    def __str__(self) -> str:
        return f"{self.index}: {bytes(self.hash).hex()}"


class LogCounter(models.Model):
    """A named counter whose row is also a lock (``SELECT … FOR UPDATE``).

    ``sequencer``: entries assigned so far, i.e. the next index. Every appending transaction
    locks it, so indexes come out contiguous under concurrent writers and a rolled-back
    transaction gives its indexes back. ``publisher``: locked while a checkpoint is signed, so
    two publishers never race to sign checkpoints out of order; it does not block appends.
    """

    SEQUENCER = "sequencer"
    PUBLISHER = "publisher"

    name = models.CharField(_("name"), max_length=20, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("log counter")
        verbose_name_plural = _("log counters")

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"


class Checkpoint(models.Model):
    """A signed checkpoint (C2SP tlog-checkpoint) of the tree at ``size`` entries."""

    size = models.BigIntegerField(_("tree size"), unique=True)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    # The signed note as the log signed it: body, blank line, the log's signature line.
    note = models.TextField(_("signed note"))
    # Witness cosignature lines (tlog-cosignature), appended to the note when served.
    cosignatures = models.TextField(_("cosignatures"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ["-size"]
        get_latest_by = "size"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gte=0), name="ledger_checkpoint_size_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.size}"

    @property
    def signed_note(self) -> str:
        """The note with the witnesses' cosignature lines after the log's signature."""
        return f"{self.note}{self.cosignatures}"


class WitnessState(models.Model):
    """What this hub, as a witness (C2SP tlog-witness), last cosigned for one witnessed log.

    One row per origin: the size and root of the latest checkpoint cosigned, and that checkpoint
    as it was submitted (evidence, should the log ever show someone an inconsistent one). A row
    with size 0 and no root means nothing was cosigned yet. Requests for an origin lock its row
    (``SELECT … FOR UPDATE``), so the check of the old size and the update are atomic.
    """

    origin = models.CharField(_("log origin"), max_length=500, unique=True)
    size = models.BigIntegerField(_("tree size"), default=0)
    root_hash = models.BinaryField(_("root hash"), max_length=32, default=b"")
    note = models.TextField(_("checkpoint cosigned"), blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("witnessed log")
        verbose_name_plural = _("witnessed logs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gte=0), name="ledger_witnessstate_size_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.origin} at {self.size}"


class LogWitness(models.Model):
    """A witness this log asks for cosignatures, and the size it last cosigned for the log.

    ``size`` is the old size of the next request (tlog-witness): 0 until the witness first
    cosigns. A witness that answers 409 says its own size, which the next request uses.
    """

    vkey = models.CharField(_("witness verifier key"), max_length=500, unique=True)
    size = models.BigIntegerField(_("size last cosigned"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("log witness")
        verbose_name_plural = _("log witnesses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gte=0), name="ledger_logwitness_size_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vkey.split('+', 1)[0]} at {self.size}"
