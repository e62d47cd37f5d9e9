"""Stored tree hashes kept in memory between proofs, 256 leaves' worth at a time.

Pure Python, no Django. A stored hash never changes once the transaction that wrote it has
committed, so hashes read for a published checkpoint can be kept and served again without
asking the database. A proof at 10⁶ entries needs about 20 of them: eight or so from the
neighbourhood of the leaf (levels 0 to 7, inside the leaf's block of 256 leaves) and the rest
from high up the tree (level 8 and above, few in number and shared by every proof).

The cache keeps hashes two ways:

* **blocks**: the stored hashes written by leaves 256k … 256k + 255 are contiguous in the
  stored-hash array (:func:`block_start` gives where they begin); their first 510 are the
  block's own levels 0 to 7. Reading a whole block costs several times a proof's own reads
  (hundreds of rows against about 24), so a block is read whole only the second time one of
  its proofs misses: a proof asked once costs what it costs without a cache, and the blocks
  people keep asking about end up in memory, after which their proofs need no query at all.
  A block cut short by the tree's size is kept as far as it goes and read again once the tree
  has grown past it.
* **single hashes**: everything else read (level 8 and above, about 2 per 256 entries and
  shared by every proof, and the lower hashes of blocks seen once), kept one by one.

Memory is bounded by ``max_bytes``; the oldest blocks go first, then the oldest single hashes.
The cache is anchored to a checkpoint (size and root): moving the anchor to a tree that does not
extend the old one (a reset database, a test rolled back) empties it, so it never serves a hash
from another tree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from weh.ledger.merkle import HASH_SIZE, stored_hash_count

__all__ = [
    "BLOCK_HASHES",
    "BLOCK_LEAVES",
    "HashCache",
    "HashFetcher",
    "block_start",
    "locate",
]

BLOCK_LEAVES = 256
"""Leaves per block (2^8, the height of a C2SP tile)."""

BLOCK_HASHES = 2 * BLOCK_LEAVES - 2
"""Stored hashes of a block's levels 0 to 7: 256 + 128 + … + 2. Its level-8 root comes next."""

HashFetcher = Callable[[list[int], list[tuple[int, int]]], dict[int, bytes]]
"""Reads stored hashes by index and by ranges [start, stop) in one go; returns index → hash."""

_SINGLE_ENTRY_BYTES = 120
"""What one hash kept on its own costs in memory: the bytes object and its dict slot."""

_SEEN_LIMIT = 1 << 16
"""Blocks remembered as missed once (the oldest are forgotten first)."""


def block_start(block: int) -> int:
    """Return the stored-hash index of the first leaf of ``block`` (leaf 256·block)."""
    if block < 0:
        raise ValueError(f"block {block} is negative")
    return (block << 9) - block.bit_count()


def locate(index: int) -> tuple[int, int]:
    """Return (block, offset): stored hash ``index`` is hash ``offset`` of ``block``'s run.

    Leaf 256k is written at 512k - popcount(k) ≤ 512k, and the next block starts at most
    log2(k) + 1 before 512(k + 1), so the run holding ``index`` is index // 512 or the next.
    Offsets below :data:`BLOCK_HASHES` are the block's levels 0 to 7; the rest are level 8
    and above.
    """
    if index < 0:
        raise ValueError(f"stored hash index {index} is negative")
    block = index >> 9
    start = (block << 9) - block.bit_count()
    following = ((block + 1) << 9) - (block + 1).bit_count()
    if following <= index:
        return block + 1, index - following
    return block, index - start


class HashCache:
    """Stored hashes of published checkpoints, bounded in memory; safe to share between threads."""

    def __init__(self, max_bytes: int, *, missing: type[Exception] = LookupError) -> None:
        """Keep up to ``max_bytes``; a hash storage lacks is reported as ``missing``."""
        if max_bytes < 0:
            raise ValueError("the cache size cannot be negative")
        self.max_bytes = max_bytes
        self.missing = missing
        # Dicts keep insertion order, which is age here: the first goes first.
        self._blocks: dict[int, bytes] = {}
        self._singles: dict[int, bytes] = {}
        # Blocks with one miss so far, and the hashes of theirs then kept singly.
        self._seen: dict[int, list[int]] = {}
        self._block_bytes = 0
        self._anchor: tuple[int, bytes] | None = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def anchor(self) -> tuple[int, bytes] | None:
        """The checkpoint (size, root) the kept hashes belong to, or None when empty."""
        return self._anchor

    @property
    def size_bytes(self) -> int:
        """An estimate of the memory the kept hashes take."""
        return self._block_bytes + len(self._singles) * _SINGLE_ENTRY_BYTES

    @property
    def blocks(self) -> int:
        """How many blocks are kept whole."""
        return len(self._blocks)

    def clear(self) -> None:
        """Forget every kept hash and the anchor."""
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        self._blocks = {}
        self._singles = {}
        self._seen = {}
        self._block_bytes = 0
        self._anchor = None

    def anchor_at(self, size: int, root: bytes, extends: Callable[[int, bytes], bool]) -> None:
        """Tie the cache to the tree of ``size`` leaves with ``root``.

        Moving to the same checkpoint is free. Moving to a larger one keeps every hash if
        ``extends(old_size, old_root)`` says the new tree extends the old checkpoint (it is
        asked only when the checkpoint changes); anything else empties the cache.
        """
        with self._lock:
            old = self._anchor
            if old == (size, root):
                return
            if old is not None and not (size >= old[0] and extends(*old)):
                self._clear()
            self._anchor = (size, root)

    def read(self, indexes: list[int], fetch: HashFetcher) -> list[bytes]:
        """Return the stored hashes at ``indexes``, in order, fetching what is not kept.

        Every index must lie inside the anchored tree. One ``fetch`` call answers all misses:
        the missing hashes one by one, except in blocks that missed before, which are read
        whole (as far as the anchored tree goes).
        """
        anchor = self._anchor
        if anchor is None:
            raise ValueError("the cache reads only once anchored to a checkpoint")
        limit = stored_hash_count(anchor[0])
        if indexes and not 0 <= min(indexes) <= max(indexes) < limit:
            raise ValueError("a stored hash asked for is outside the anchored tree")
        blocks = self._blocks
        singles = self._singles
        out: list[bytes | None] = []
        missed_blocks: dict[int, int] = {}  # block → where its run starts
        missing: list[int] = []
        for index in indexes:
            value = singles.get(index)
            if value is not None:
                out.append(value)
                continue
            # locate(), inlined: this loop is the hot path of every proof.
            block = index >> 9
            start = (block << 9) - block.bit_count()
            following = ((block + 1) << 9) - (block + 1).bit_count()
            if following <= index:
                block += 1
                start = following
            offset = index - start
            if offset < BLOCK_HASHES:
                run = blocks.get(block)
                at = offset * HASH_SIZE
                if run is not None and at < len(run):
                    out.append(run[at : at + HASH_SIZE])
                    continue
                missed_blocks[block] = start
            missing.append(index)
            out.append(None)
        if not missing:
            self.hits += 1
            return out  # type: ignore[return-value]  # no None left: every index was kept
        self.misses += 1
        return self._fill(indexes, out, missing, missed_blocks, limit, fetch)

    def _fill(
        self,
        indexes: list[int],
        out: list[bytes | None],
        missing: list[int],
        missed_blocks: dict[int, int],
        limit: int,
        fetch: HashFetcher,
    ) -> list[bytes]:
        whole = {
            block: (start, min(start + BLOCK_HASHES, limit))
            for block, start in missed_blocks.items()
            # Missed before, or kept but cut short by a smaller tree: wanted again.
            if self.max_bytes and (block in self._seen or block in self._blocks)
        }
        # A hash inside a block read whole comes with the block, not on its own.
        singly = [i for i in missing if not any(a <= i < b for a, b in whole.values())]
        found = fetch(singly, list(whole.values()))
        runs: dict[int, bytes] = {}
        for block, (start, stop) in whole.items():
            try:
                runs[block] = b"".join(found[i] for i in range(start, stop))
            except KeyError as gap:
                raise self.missing(f"stored tree hash {gap} is missing") from None
        result: list[bytes] = []
        for index, value in zip(indexes, out, strict=True):
            if value is None:
                value = found.get(index)
                if value is None:
                    raise self.missing(f"stored tree hash {index} is missing")
            result.append(value)
        if self.max_bytes:
            seen: dict[int, list[int]] = {b: [] for b in missed_blocks if b not in whole}
            for index in singly:
                block = locate(index)[0]
                if block in seen and index - block_start(block) < BLOCK_HASHES:
                    seen[block].append(index)
            self._keep(runs, {i: found[i] for i in singly}, seen)
        return result

    def _keep(
        self, runs: dict[int, bytes], singles: dict[int, bytes], seen: dict[int, list[int]]
    ) -> None:
        with self._lock:
            if self._anchor is None:  # cleared while fetching: keep nothing of an unknown tree
                return
            for block, run in runs.items():
                # The block's hashes kept singly at its first miss are in the run now.
                for index in self._seen.pop(block, ()):
                    self._singles.pop(index, None)
                old = self._blocks.pop(block, None)
                if old is not None:
                    self._block_bytes -= len(old)
                self._blocks[block] = run
                self._block_bytes += len(run)
            self._singles.update(singles)
            for block, indexes in seen.items():
                self._seen.setdefault(block, []).extend(indexes)
            while len(self._seen) > _SEEN_LIMIT:
                del self._seen[next(iter(self._seen))]
            self._evict()

    def _evict(self) -> None:
        while self.size_bytes > self.max_bytes and self._blocks:
            oldest = next(iter(self._blocks))
            self._block_bytes -= len(self._blocks.pop(oldest))
        while self.size_bytes > self.max_bytes and self._singles:
            del self._singles[next(iter(self._singles))]

    def reader(self, fetch: HashFetcher) -> Callable[[list[int]], Sequence[bytes]]:
        """A :data:`weh.ledger.merkle.HashReader` over this cache, for the anchored tree."""

        def read(indexes: list[int]) -> Sequence[bytes]:
            return self.read(indexes, fetch)

        return read
