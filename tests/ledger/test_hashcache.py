"""The in-memory cache of stored hashes: same answers as storage, fewer reads, never stale."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weh.ledger import merkle
from weh.ledger.hashcache import BLOCK_HASHES, HashCache, block_start, locate
from weh.ledger.merkle import Tree, stored_hash_count, stored_hash_index


def grown(size: int, seed: int = 0) -> Tree:
    tree = Tree()
    tree.extend(b"entry %d/%d" % (seed, i) for i in range(size))
    return tree


class Storage:
    """A fetcher over a tree that counts its calls and what they read."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.calls = 0
        self.rows = 0

    def __call__(self, indexes: list[int], ranges: list[tuple[int, int]]) -> dict[int, bytes]:
        self.calls += 1
        wanted = [*indexes, *(i for start, stop in ranges for i in range(start, stop))]
        assert len(set(wanted)) == len(wanted), "indexes and runs overlap"
        limit = stored_hash_count(self.tree.size)
        present = [i for i in wanted if i < limit]
        self.rows += len(present)
        return dict(zip(present, self.tree.read_hashes(present), strict=True))


def asked(tree: Tree, index: int) -> int:
    """How many stored hashes the inclusion proof of ``index`` reads without a cache."""
    count = 0

    def plain(indexes: list[int]) -> list[bytes]:
        nonlocal count
        count += len(indexes)
        return tree.read_hashes(indexes)

    merkle.inclusion_proof(index, tree.size, plain)
    return count


def anchored(tree: Tree, max_bytes: int = 64 << 20) -> HashCache:
    cache = HashCache(max_bytes)
    cache.anchor_at(tree.size, tree.root(), lambda size, root: False)
    return cache


# --- where stored hashes live ------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**7))
def test_locate_finds_the_block_run_of_every_stored_hash(index: int) -> None:
    block, offset = locate(index)
    assert block_start(block) + offset == index
    assert 0 <= offset < block_start(block + 1) - block_start(block)
    level, n = merkle.split_stored_hash_index(index)
    # The run of block k holds what leaves 256k … 256k+255 write: the block's own levels 0-7
    # first, then its level-8 root and the higher hashes its last leaf completes.
    assert (n << level) >> 8 == block if level <= 8 else ((n + 1) << level) // 256 - 1 == block
    assert (offset < BLOCK_HASHES) == (level < 8)


def test_a_block_run_is_its_510_lower_hashes_then_its_root_then_what_it_completes() -> None:
    assert block_start(0) == 0
    assert stored_hash_index(8, 0) == BLOCK_HASHES  # the root of leaves 0-255 follows them
    assert block_start(1) == stored_hash_index(0, 256) == 511
    # Block 1 completes the subtree of leaves 0-511 as well: its run has one more hash.
    assert stored_hash_index(9, 0) == block_start(1) + BLOCK_HASHES + 1
    assert block_start(2) == stored_hash_index(9, 0) + 1


# --- answers equal storage's ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=1, max_value=1400), seed=st.integers(0, 2**32 - 1))
def test_proofs_through_the_cache_equal_proofs_from_storage(size: int, seed: int) -> None:
    tree = grown(size)
    cache = anchored(tree)
    storage = Storage(tree)
    read = cache.reader(storage)
    rng = random.Random(seed)
    for _ in range(12):
        index = rng.randrange(size)
        assert merkle.inclusion_proof(index, size, read) == tree.inclusion_proof(index)
        m = rng.randrange(1, size + 1)
        assert merkle.consistency_proof(m, size, read) == tree.consistency_proof(m, size)
    assert merkle.tree_root(size, read) == tree.root()


def test_a_block_is_read_whole_on_its_second_miss_and_then_serves_every_leaf() -> None:
    tree = grown(5000)
    cache = anchored(tree)
    storage = Storage(tree)
    read = cache.reader(storage)
    # A first proof reads just what it needs, as without a cache.
    assert merkle.inclusion_proof(1000, 5000, read) == tree.inclusion_proof(1000)
    assert storage.calls == 1
    assert storage.rows == asked(tree, 1000)
    assert cache.blocks == 0
    # The same proof again: all kept.
    assert merkle.inclusion_proof(1000, 5000, read) == tree.inclusion_proof(1000)
    assert storage.calls == 1
    # Another leaf of the same block misses: now the block comes whole, in the same one read.
    assert merkle.inclusion_proof(800, 5000, read) == tree.inclusion_proof(800)
    assert (storage.calls, cache.blocks) == (2, 1)
    for index in (768, 900, 1023):
        assert merkle.inclusion_proof(index, 5000, read) == tree.inclusion_proof(index)
    assert storage.calls == 2
    assert (cache.hits, cache.misses) == (4, 2)
    # Another block needs its own lower hashes; the shared upper ones are kept.
    merkle.inclusion_proof(4000, 5000, read)
    assert storage.calls == 3
    assert storage.rows < 2 * 511 + 40


def warm(cache: HashCache, size: int, read: merkle.HashReader) -> None:
    for offset in (0, 128):  # two leaves: a block is read whole on its second miss
        for index in range(offset, size, 256):
            merkle.inclusion_proof(index, size, read)


def test_when_warm_every_proof_of_a_tree_is_served_from_memory() -> None:
    size = 3000
    tree = grown(size)
    cache = anchored(tree)
    storage = Storage(tree)
    read = cache.reader(storage)
    warm(cache, size, read)
    calls = storage.calls
    for index in range(size):
        assert merkle.inclusion_proof(index, size, read) == tree.inclusion_proof(index)
    assert storage.calls == calls
    # A tree of 3,000 entries holds 5,993 hashes; the cache holds them and little else: the
    # hashes kept singly at each block's first miss went when the block was read whole.
    held = stored_hash_count(size) * 32
    assert held - 32 * 30 <= cache.size_bytes <= held * 1.1


def test_a_partial_block_is_read_again_once_the_tree_grows_past_it() -> None:
    tree = grown(300)
    cache = anchored(tree)
    storage = Storage(tree)
    read = cache.reader(storage)
    assert merkle.inclusion_proof(290, 300, read) == tree.inclusion_proof(290)
    assert merkle.inclusion_proof(270, 300, read) == tree.inclusion_proof(270)
    assert cache.blocks == 1
    first_rows = storage.rows
    tree.extend(b"more %d" % i for i in range(100))
    cache.anchor_at(400, tree.root(), lambda size, root: size == 300)
    calls = storage.calls
    assert merkle.inclusion_proof(290, 400, read) == tree.inclusion_proof(290)
    assert merkle.inclusion_proof(390, 400, read) == tree.inclusion_proof(390)
    # Block 1 was cut at entry 300 and came again whole up to 400, in one read; block 0
    # stayed, and the new upper hash came with the block's read.
    assert storage.calls == calls + 1
    assert storage.rows - first_rows == stored_hash_count(400) - block_start(1)


# --- anchoring ---------------------------------------------------------------------------------


def test_moving_to_a_tree_that_does_not_extend_the_old_one_empties_the_cache() -> None:
    first = grown(1000, seed=1)
    cache = anchored(first)
    read = cache.reader(Storage(first))
    merkle.inclusion_proof(10, 1000, read)
    assert cache.size_bytes > 0

    other = grown(1200, seed=2)  # a different log, e.g. after the database was reset
    asked: list[tuple[int, bytes]] = []

    def extends(size: int, root: bytes) -> bool:
        asked.append((size, root))
        return False

    cache.anchor_at(other.size, other.root(), extends)
    assert asked == [(1000, first.root())]
    assert cache.size_bytes == 0
    read = cache.reader(Storage(other))
    assert merkle.inclusion_proof(10, 1200, read) == other.inclusion_proof(10)


def test_a_smaller_tree_empties_the_cache_without_asking() -> None:
    tree = grown(600)
    cache = anchored(tree)
    merkle.inclusion_proof(1, 600, cache.reader(Storage(tree)))

    def extends(size: int, root: bytes) -> bool:
        raise AssertionError("a smaller tree never extends a larger one")

    cache.anchor_at(500, tree.root(500), extends)
    assert cache.size_bytes == 0
    assert cache.anchor == (500, tree.root(500))


def test_the_same_checkpoint_again_asks_nothing_and_keeps_everything() -> None:
    tree = grown(600)
    cache = anchored(tree)
    merkle.inclusion_proof(1, 600, cache.reader(Storage(tree)))
    kept = cache.size_bytes

    def extends(size: int, root: bytes) -> bool:
        raise AssertionError("not asked for the same checkpoint")

    cache.anchor_at(600, tree.root(), extends)
    assert cache.size_bytes == kept


def test_reading_outside_the_anchored_tree_or_unanchored_is_refused() -> None:
    tree = grown(10)
    with pytest.raises(ValueError, match="anchored to a checkpoint"):
        HashCache(1 << 20).read([0], Storage(tree))
    cache = anchored(tree)
    with pytest.raises(ValueError, match="outside the anchored tree"):
        cache.read([stored_hash_count(10)], Storage(tree))
    with pytest.raises(ValueError, match="outside the anchored tree"):
        cache.read([-1], Storage(tree))


def test_a_hash_missing_from_storage_is_reported() -> None:
    tree = grown(20)
    cache = anchored(tree)

    def lossy(indexes: list[int], ranges: list[tuple[int, int]]) -> dict[int, bytes]:
        found = Storage(tree)(indexes, ranges)
        del found[5]
        return found

    with pytest.raises(LookupError, match="stored tree hash 5 is missing"):
        cache.read([5], lossy)
    assert cache.size_bytes == 0  # nothing of a damaged read is kept


# --- memory ------------------------------------------------------------------------------------


def test_memory_stays_within_the_bound_oldest_blocks_first() -> None:
    tree = grown(256 * 40)
    budget = 10 * BLOCK_HASHES * 32 + 200 * 120  # ten blocks and 200 single hashes
    cache = anchored(tree, max_bytes=budget)
    storage = Storage(tree)
    read = cache.reader(storage)
    for block in range(40):
        for index in (block * 256, block * 256 + 128):
            assert merkle.inclusion_proof(index, tree.size, read) == tree.inclusion_proof(index)
            assert cache.size_bytes <= budget
    assert 5 <= cache.blocks <= 10  # the single hashes take their share
    calls = storage.calls
    merkle.inclusion_proof(39 * 256 + 7, tree.size, read)  # recent: still kept
    assert storage.calls == calls
    merkle.inclusion_proof(7, tree.size, read)  # the first block went long ago
    assert storage.calls == calls + 1


def test_a_cache_of_size_zero_keeps_nothing_and_reads_only_what_is_asked() -> None:
    tree = grown(1000)
    cache = anchored(tree, max_bytes=0)
    storage = Storage(tree)
    read = cache.reader(storage)
    for index in (3, 3, 700):
        assert merkle.inclusion_proof(index, 1000, read) == tree.inclusion_proof(index)
    assert storage.calls == 3
    asked: list[int] = []

    def plain(indexes: list[int]) -> list[bytes]:
        asked.extend(indexes)
        return tree.read_hashes(indexes)

    for index in (3, 3, 700):
        merkle.inclusion_proof(index, 1000, plain)
    assert storage.rows == len(asked)
    assert cache.size_bytes == 0
