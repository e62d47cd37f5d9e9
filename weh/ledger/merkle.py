"""RFC 9162 Merkle tree hashing, proofs and verification, over a flat "stored hash" layout.

Pure Python (hashlib only, no Django). The tree is the one of RFC 6962 / RFC 9162 §2.1: a leaf is
SHA-256(0x00 ‖ entry), an interior node SHA-256(0x01 ‖ left ‖ right), and a tree of n > 1 leaves
splits at the largest power of two strictly below n (the last odd leaf is never duplicated).

Storage follows the layout of Go's ``golang.org/x/mod/sumdb/tlog``: every hash of every *complete*
subtree is written exactly once, in the order in which it becomes known, into one append-only
array. Hash (level, n) — the root of leaves n·2^level … (n+1)·2^level - 1 — lands at
:func:`stored_hash_index` (level, n). Appending record n writes its leaf hash and one hash per
subtree that leaf completes (:func:`stored_hashes_for_record`), so a tree of n leaves holds
:func:`stored_hash_count` (n) = 2n - popcount(n) hashes: two per entry, amortised, and nothing is
ever rewritten. Any root, inclusion proof or consistency proof is then assembled from O(log n)
stored hashes fetched in a single batch through a ``read_hashes(indexes)`` callable, so a database
backend answers each with one query.

Verification implements every check of RFC 9162 §2.1.3.2 and §2.1.4.2 and raises
:class:`ProofError` with a precise message; it never trusts a size or root taken from the proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from hmac import compare_digest

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "HashReader",
    "ProofError",
    "Tree",
    "consistency_proof",
    "consistency_proof_length",
    "inclusion_proof",
    "inclusion_proof_length",
    "leaf_hash",
    "node_hash",
    "root",
    "split_stored_hash_index",
    "stored_hash_count",
    "stored_hash_index",
    "stored_hashes_for_record",
    "subtree_hash_indexes",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Bytes in a SHA-256 hash."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""Root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1)."""

HashReader = Callable[[list[int]], Sequence[bytes]]
"""Reads stored hashes by index, in the order asked; one call per root or proof."""

_sha256 = hashlib.sha256
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class ProofError(ValueError):
    """A proof failed verification; the message says which check failed."""


# --- hashing ---------------------------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """Return the RFC 9162 leaf hash of ``entry``: SHA-256(0x00 ‖ entry)."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def root(leaf_hashes: Iterable[bytes]) -> bytes:
    """Return the Merkle tree hash of a sequence of leaf hashes of any length.

    The empty sequence gives :data:`EMPTY_ROOT`. Runs in n - 1 node hashes using a stack of the
    roots of the complete subtrees seen so far (largest first), which is the same decomposition
    the stored layout uses.
    """
    sha = _sha256
    stack: list[bytes] = []
    pop = stack.pop
    push = stack.append
    for count, leaf in enumerate(leaf_hashes):
        # Each trailing 1 bit of the leaf's index completes a subtree with its left neighbour.
        h = leaf
        i = count
        while i & 1:
            h = sha(_NODE_PREFIX + pop() + h).digest()
            i >>= 1
        push(h)
    if not stack:
        return EMPTY_ROOT
    return _fold(stack)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """Combine complete-subtree roots listed left to right into the root of their union.

    Left to right the subtrees shrink, so by the RFC split rule the union's root is
    node(h0, node(h1, … node(h[-2], h[-1]))).
    """
    sha = _sha256
    h = hashes[-1]
    for i in range(len(hashes) - 2, -1, -1):
        h = sha(_NODE_PREFIX + hashes[i] + h).digest()
    return h


# --- stored hash layout ----------------------------------------------------------------------


def stored_hash_index(level: int, n: int) -> int:
    """Return where hash (level, n) lives in the stored-hash array.

    Hash (level, n) is the root of the complete subtree over leaves n·2^level … (n+1)·2^level - 1.
    It is written right after the last leaf of that subtree, m = (n+1)·2^level - 1, and the
    ``level - 1`` lower hashes that leaf also completes. Before leaf m come, for every level l,
    floor(m / 2^l) complete hashes, and that sum is 2m - popcount(m).
    """
    if level < 0 or n < 0:
        raise ValueError(f"stored hash ({level}, {n}) has a negative coordinate")
    m = ((n + 1) << level) - 1
    return 2 * m - m.bit_count() + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """Return the (level, n) coordinates of stored hash ``index`` (inverse of stored_hash_index)."""
    if index < 0:
        raise ValueError(f"stored hash index {index} is negative")
    # Leaf m sits at 2m - popcount(m), which never exceeds 2m: the last leaf written at or before
    # ``index`` is at least index // 2 and at most log2(index) further on.
    m = index // 2
    start = 2 * m - m.bit_count()
    while True:
        following = 2 * (m + 1) - (m + 1).bit_count()
        if following > index:
            break
        m += 1
        start = following
    level = index - start  # at most the number of subtrees leaf m completes, by construction
    return level, ((m + 1) >> level) - 1


def stored_hash_count(size: int) -> int:
    """Return how many stored hashes a tree of ``size`` leaves holds: 2·size - popcount(size)."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    return 2 * size - size.bit_count()


def _trailing_ones(n: int) -> int:
    return (n ^ (n + 1)).bit_length() - 1


def stored_hashes_for_record(n: int, leaf: bytes, read_hashes: HashReader) -> list[bytes]:
    """Return the hashes to append to storage when record ``n`` arrives (0-based).

    The first is ``leaf`` (the record's leaf hash); then one node hash per trailing 1 bit of n,
    because each such bit completes a subtree whose left half is already stored. The left halves
    are read in one ``read_hashes`` call. The result goes at stored_hash_index(0, n) onward, i.e.
    storage must already hold exactly stored_hash_count(n) hashes.
    """
    if n < 0:
        raise ValueError(f"record number {n} is negative")
    _check_hash(leaf, "leaf hash", ValueError)
    completed = _trailing_ones(n)
    if not completed:
        return [leaf]
    # n >> level is odd for every level below ``completed``; its left sibling is one less.
    indexes = [stored_hash_index(level, (n >> level) - 1) for level in range(completed)]
    siblings = _read(read_hashes, indexes)
    hashes = [leaf]
    h = leaf
    for sibling in siblings:
        h = _sha256(_NODE_PREFIX + sibling + h).digest()
        hashes.append(h)
    return hashes


def subtree_hash_indexes(lo: int, hi: int) -> list[int]:
    """Return the stored-hash indexes of the complete subtrees that make up leaves [lo, hi).

    The range must be one the RFC recursion produces (``lo`` a multiple of a power of two at
    least hi - lo, as for [0, size) and every proof range); the subtrees come left to right,
    largest first, and :func:`_fold` turns their hashes into the range's Merkle tree hash.
    """
    out: list[int] = []
    _subtree_indexes(lo, hi, out)
    return out


def _subtree_indexes(lo: int, hi: int, out: list[int]) -> None:
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        if lo & ((1 << level) - 1):
            raise ValueError(f"leaf range [{lo}, {hi}) is not aligned to complete subtrees")
        out.append(stored_hash_index(level, lo >> level))
        lo += 1 << level


def _read(read_hashes: HashReader, indexes: list[int]) -> Sequence[bytes]:
    """Call the reader once and check it answered every index with a 32-byte hash."""
    if not indexes:
        return []
    hashes = read_hashes(indexes)
    if len(hashes) != len(indexes):
        raise ValueError(f"hash reader returned {len(hashes)} hashes for {len(indexes)} indexes")
    for h in hashes:
        if not isinstance(h, bytes) or len(h) != HASH_SIZE:
            raise ValueError("hash reader returned a value that is not a 32-byte hash")
    return hashes


def tree_root(size: int, read_hashes: HashReader) -> bytes:
    """Return the root of the stored tree at ``size`` leaves, reading O(log size) hashes once."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    if size == 0:
        return EMPTY_ROOT
    return _fold(_read(read_hashes, subtree_hash_indexes(0, size)))


# --- proof generation ------------------------------------------------------------------------


def _path(level: int, node: int, size: int) -> tuple[list[int], int, int]:
    """Stored-hash indexes of the audit path of hash (level, node) to the root of ``size`` leaves.

    RFC 9162's recursion, unrolled as in transparency-dev's ``proof.Inclusion``: below the
    level where the node's path and the tree's last leaf part (``inner`` levels above the
    node), every sibling is a complete subtree; at that level the sibling is the right part
    holding the last leaf, complete or not; above it, one left sibling per 1 bit of the node
    (the tree's right border). The incomplete sibling, if any, is several complete subtrees,
    whose indexes are ``indexes[start:stop]`` and fold into one proof hash. The path is listed
    from the node up.
    """
    last = (size - 1) >> level
    inner = (node ^ last).bit_length()
    indexes: list[int] = []
    push = indexes.append
    top = level + inner - 1
    for at in range(level, top):  # complete siblings inside the node's complete ancestor
        m = ((((node >> (at - level)) ^ 1) + 1) << at) - 1
        push(2 * m - m.bit_count() + at)
    start = len(indexes)
    if inner:
        # The node's bit here is 0 and the last leaf's is 1: the sibling is on the right.
        lo = ((node >> (inner - 1)) + 1) << top
        if lo + (1 << top) <= size:
            m = lo + (1 << top) - 1
            push(2 * m - m.bit_count() + top)
        else:
            _subtree_indexes(lo, size, indexes)
    stop = len(indexes)
    rest = node >> inner
    at = top + 1
    while rest:
        if rest & 1:  # a left sibling (at, rest - 1), which ends where this subtree starts
            m = (rest << at) - 1
            push(2 * m - m.bit_count() + at)
        rest >>= 1
        at += 1
    return indexes, start, stop


def _prove(indexes: list[int], start: int, stop: int, read_hashes: HashReader) -> list[bytes]:
    """Read the path's hashes in one call and fold the incomplete sibling's into one."""
    hashes = _read(read_hashes, indexes)
    if stop - start <= 1:
        return list(hashes)
    return [*hashes[:start], _fold(hashes[start:stop]), *hashes[stop:]]


def inclusion_proof(index: int, size: int, read_hashes: HashReader) -> list[bytes]:
    """Return the RFC 9162 inclusion proof of leaf ``index`` in the stored tree of ``size`` leaves.

    At most one hash of the path is not a complete subtree, so the proof needs about
    log2(size) stored hashes, read in a single ``read_hashes`` call.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    return _prove(*_path(0, index, size), read_hashes)


def consistency_proof(m: int, n: int, read_hashes: HashReader) -> list[bytes]:
    """Return the RFC 9162 consistency proof between tree sizes ``m`` and ``n`` (0 < m ≤ n).

    Equal sizes give the empty proof. Size 0 is refused: RFC 9162 defines proofs for 0 < m only,
    and every tree trivially extends the empty one, so there is nothing to prove.

    The proof is the audit path, in the tree of ``n``, of the smallest complete subtree of
    the tree of ``m`` (its last ``2^level`` leaves), preceded by that subtree's own hash
    unless it is the whole old tree (``m`` a power of two).
    """
    if m <= 0:
        raise ValueError(f"consistency proofs start from a non-empty tree, not size {m}")
    if m > n:
        raise ValueError(f"first size {m} is larger than second size {n}")
    if m == n:
        return []
    level = (m & -m).bit_length() - 1
    node = (m - 1) >> level
    indexes, start, stop = _path(level, node, n)
    if node:
        last = ((node + 1) << level) - 1
        indexes.insert(0, 2 * last - last.bit_count() + level)
        start += 1
        stop += 1
    return _prove(indexes, start, stop, read_hashes)


# --- verification ----------------------------------------------------------------------------


def inclusion_proof_length(index: int, size: int) -> int:
    """Return the exact number of hashes in an inclusion proof of ``index`` in ``size`` leaves.

    The path climbs ``inner`` levels where index and size - 1 still differ, then one hash per
    1 bit above that (the left siblings on the tree's right border).
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def consistency_proof_length(m: int, n: int) -> int:
    """Return the exact number of hashes in a consistency proof from size ``m`` to ``n``."""
    if not 0 < m <= n:
        raise ValueError(f"no consistency proof exists from size {m} to size {n}")
    if m == n:
        return 0
    inner = ((m - 1) ^ (n - 1)).bit_length()
    border = ((m - 1) >> inner).bit_count()
    shift = (m & -m).bit_length() - 1  # trailing zeros of m
    # The old tree's largest complete subtree of 2^shift leaves is skipped, and its hash is
    # sent unless it is the whole old tree (m a power of two), whose root the verifier has.
    return inner - shift + border + (0 if m == 1 << shift else 1)


def _check_hash(value: object, what: str, error: type[ValueError] = ProofError) -> None:
    if not isinstance(value, bytes) or len(value) != HASH_SIZE:
        raise error(f"{what} is not a {HASH_SIZE}-byte hash")


def _check_proof(proof: Sequence[bytes]) -> None:
    for position, value in enumerate(proof):
        _check_hash(value, f"proof hash {position}")


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes
) -> None:
    """Check that ``leaf`` (a leaf hash) is leaf ``index`` of the tree of ``size`` with that root.

    Implements RFC 9162 §2.1.3.2 and also requires the exact proof length, so a proof padded or
    cut short is refused before hashing. ``size`` and ``expected_root`` must come from a verified
    checkpoint, never from the proof's sender. Raises :class:`ProofError`; returns None when valid.
    """
    if index < 0 or size < 0:
        raise ProofError(f"leaf index {index} and tree size {size} must not be negative")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    _check_hash(leaf, "leaf hash")
    _check_hash(expected_root, "expected root")
    _check_proof(proof)
    expected = inclusion_proof_length(index, size)
    if len(proof) != expected:
        raise ProofError(
            f"inclusion proof for leaf {index} of {size} must have {expected} hashes, "
            f"not {len(proof)}"
        )
    sha = _sha256
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof goes past the root (sn reached 0 early)")
        if fn & 1 or fn == sn:
            r = sha(_NODE_PREFIX + p + r).digest()
            if not fn & 1:
                # On the right border with no right sibling: climb until this node is a right
                # child again (or we are at the left edge).
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha(_NODE_PREFIX + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof stops below the root (sn is not 0)")
    if not compare_digest(r, expected_root):
        raise ProofError(f"inclusion proof for leaf {index} does not lead to the expected root")


def verify_consistency(
    m: int, n: int, proof: Sequence[bytes], root_m: bytes, root_n: bytes
) -> None:
    """Check that the tree of size ``n`` and root ``root_n`` extends the one of size ``m``.

    Implements RFC 9162 §2.1.4.2 (first size a power of two: the old root is the proof's
    implicit first hash; sn must end at 0; both roots must be reproduced) plus these rules:
    0 < m (every tree extends the empty one, so a witness records its first checkpoint without
    a proof instead), m ≤ n, equal sizes need an empty proof and equal roots, and the proof must
    have exactly the expected length. Raises :class:`ProofError`; returns None when valid.
    """
    if m < 0 or n < 0:
        raise ProofError(f"tree sizes {m} and {n} must not be negative")
    if m > n:
        raise ProofError(f"first size {m} is larger than second size {n}")
    if m == 0:
        raise ProofError("consistency from an empty tree is not proved (RFC 9162 needs 0 < first)")
    _check_hash(root_m, "first root")
    _check_hash(root_n, "second root")
    _check_proof(proof)
    if m == n:
        if proof:
            raise ProofError(f"sizes are equal ({m}), so the proof must be empty")
        if not compare_digest(root_m, root_n):
            raise ProofError(f"sizes are equal ({m}) but the roots differ")
        return
    if not proof:
        raise ProofError(f"consistency proof from {m} to {n} is empty")
    expected = consistency_proof_length(m, n)
    if len(proof) != expected:
        raise ProofError(
            f"consistency proof from {m} to {n} must have {expected} hashes, not {len(proof)}"
        )
    path: Sequence[bytes] = proof
    if m & (m - 1) == 0:
        # The old tree is a complete subtree of the new one: its root is the first path hash.
        path = [root_m, *proof]
    sha = _sha256
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for i in range(1, len(path)):
        c = path[i]
        if sn == 0:
            raise ProofError("consistency proof goes past the root (sn reached 0 early)")
        if fn & 1 or fn == sn:
            fr = sha(_NODE_PREFIX + c + fr).digest()
            sr = sha(_NODE_PREFIX + c + sr).digest()
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = sha(_NODE_PREFIX + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof stops below the root (sn is not 0)")
    if not compare_digest(fr, root_m):
        raise ProofError(f"consistency proof does not reproduce the root of size {m}")
    if not compare_digest(sr, root_n):
        raise ProofError(f"consistency proof does not reproduce the root of size {n}")


# --- in-memory tree --------------------------------------------------------------------------


class Tree:
    """An append-only Merkle tree in memory, kept as the flat stored-hash array.

    ``read_hashes`` serves the same indexes a database would, so roots and proofs go through the
    very functions a stored log uses. Alongside, the roots of the complete subtrees of the
    current tree (the "frontier", largest first) make an append cost one leaf hash plus one
    node hash per subtree it completes: two hashes per entry on average.
    """

    __slots__ = ("_frontier", "_hashes", "_size")

    def __init__(self) -> None:
        """Create an empty tree."""
        self._hashes: list[bytes] = []
        self._frontier: list[bytes] = []
        self._size = 0

    @classmethod
    def from_stored_hashes(cls, hashes: Iterable[bytes], size: int) -> Tree:
        """Rebuild a tree of ``size`` leaves from its stored hashes (e.g. loaded from storage).

        Only the count and hash lengths are checked; use :func:`root` over the leaves to
        re-derive the hashes if the source is not trusted.
        """
        tree = cls()
        stored = list(hashes)
        if len(stored) != stored_hash_count(size):
            raise ValueError(
                f"a tree of size {size} has {stored_hash_count(size)} stored hashes, "
                f"not {len(stored)}"
            )
        for h in stored:
            _check_hash(h, "stored hash", ValueError)
        tree._hashes = stored
        tree._size = size
        tree._frontier = [stored[i] for i in subtree_hash_indexes(0, size)]
        return tree

    def __len__(self) -> int:
        """Return the number of leaves."""
        return self._size

    @property
    def size(self) -> int:
        """The number of leaves."""
        return self._size

    def append(self, entry: bytes) -> int:
        """Append an entry (hashed as a leaf) and return its 0-based index."""
        return self.append_hash(_sha256(_LEAF_PREFIX + entry).digest())

    def append_hash(self, leaf: bytes) -> int:
        """Append a precomputed leaf hash and return its 0-based index."""
        _check_hash(leaf, "leaf hash", ValueError)
        n = self._size
        hashes = self._hashes
        frontier = self._frontier
        hashes.append(leaf)
        h = leaf
        i = n
        while i & 1:
            h = _sha256(_NODE_PREFIX + frontier.pop() + h).digest()
            hashes.append(h)
            i >>= 1
        frontier.append(h)
        self._size = n + 1
        return n

    def extend(self, entries: Iterable[bytes]) -> int:
        """Append many entries (hashed as leaves); return the new size.

        The hot loop of bulk loading: locals only, bound methods cached, two hashes per entry.
        """
        hashes = self._hashes
        store = hashes.append
        frontier = self._frontier
        pop = frontier.pop
        push = frontier.append
        sha = _sha256
        leaf_prefix = _LEAF_PREFIX
        node_prefix = _NODE_PREFIX
        n = self._size
        try:
            for entry in entries:
                h = sha(leaf_prefix + entry).digest()
                store(h)
                if n & 1:  # half the leaves complete nothing: skip the loop set-up for them
                    h = sha(node_prefix + pop() + h).digest()
                    store(h)
                    i = n >> 1
                    while i & 1:
                        h = sha(node_prefix + pop() + h).digest()
                        store(h)
                        i >>= 1
                push(h)
                n += 1
        finally:
            # An entry that is not bytes fails before anything of it is stored; keep the size
            # in step with what was stored.
            self._size = n
        return n

    def extend_hashes(self, leaves: Iterable[bytes]) -> int:
        """Append many precomputed leaf hashes; return the new size."""
        for leaf in leaves:
            self.append_hash(leaf)
        return self._size

    def read_hashes(self, indexes: list[int]) -> list[bytes]:
        """Return the stored hashes at ``indexes`` (a :data:`HashReader` over this tree)."""
        hashes = self._hashes
        if indexes and min(indexes) < 0:
            raise IndexError("stored hash indexes are never negative")
        return [hashes[i] for i in indexes]

    def leaf_hash(self, index: int) -> bytes:
        """Return the leaf hash at ``index``."""
        if not 0 <= index < self._size:
            raise IndexError(f"leaf index {index} is outside a tree of size {self._size}")
        return self._hashes[stored_hash_index(0, index)]

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self._size
        if not 0 <= size <= self._size:
            raise ValueError(f"size {size} is outside 0 … {self._size}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """Return the root at ``size`` leaves (default: the current size)."""
        size = self._check_size(size)
        if size == self._size:
            return _fold(self._frontier) if self._frontier else EMPTY_ROOT
        return tree_root(size, self.read_hashes)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Return the inclusion proof of leaf ``index`` in the tree at ``size`` leaves."""
        return inclusion_proof(index, self._check_size(size), self.read_hashes)

    def consistency_proof(self, m: int, n: int | None = None) -> list[bytes]:
        """Return the consistency proof from size ``m`` to size ``n`` (default: current size)."""
        return consistency_proof(m, self._check_size(n), self.read_hashes)
