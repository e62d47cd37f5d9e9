"""C2SP tlog-tiles arithmetic: paths, tile contents from stored hashes, bundles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weh.ledger import merkle
from weh.ledger.merkle import Tree, leaf_hash, stored_hash_index
from weh.ledger.tiles import (
    ENTRIES_LEVEL,
    TILE_WIDTH,
    Tile,
    decode_entry_bundle,
    encode_entry_bundle,
    entry_bundle_for,
    entry_bundles_for_size,
    hash_from_tile,
    new_tiles,
    parse_tile_path,
    read_hashes_from_tiles,
    read_tile,
    root_tiles,
    tile_for_stored_hash,
    tile_hash_indexes,
    tile_path,
    tile_width,
    tiles_for_hashes,
    tiles_for_size,
)

SIZE = 70_000
ENTRIES = [b"entry %d" % i for i in range(SIZE)]
TREE = Tree()
TREE.extend(ENTRIES)


def _fetch(tiles: list[Tile]) -> dict[Tile, bytes]:
    """What a client downloads: each tile's data, served from the log's stored hashes."""
    return {tile: read_tile(tile, TREE.read_hashes) for tile in tiles}


# --- paths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "index", "width", "path"),
    [
        (1, 1_234_067, TILE_WIDTH, "tile/1/x001/x234/067"),
        (0, 0, TILE_WIDTH, "tile/0/000"),
        (0, 999, TILE_WIDTH, "tile/0/999"),
        (0, 1_000, TILE_WIDTH, "tile/0/x001/000"),
        (0, 273, 112, "tile/0/273.p/112"),
        (2, 0, 1, "tile/2/000.p/1"),
        (63, 5, 255, "tile/63/005.p/255"),
        (ENTRIES_LEVEL, 1_234_067, TILE_WIDTH, "tile/entries/x001/x234/067"),
        (ENTRIES_LEVEL, 12, 7, "tile/entries/012.p/7"),
        (0, 10**12, TILE_WIDTH, "tile/0/x001/x000/x000/x000/000"),
    ],
)
def test_known_paths(level: int, index: int, width: int, path: str) -> None:
    assert tile_path(level, index, width) == path
    assert parse_tile_path(path) == Tile(level, index, width)
    assert Tile(level, index, width).path == path


@given(st.integers(ENTRIES_LEVEL, 63), st.integers(0, 10**15), st.integers(1, TILE_WIDTH))
def test_paths_round_trip(level: int, index: int, width: int) -> None:
    tile = Tile(level, index, width)
    assert parse_tile_path(tile.path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/1",
        "tile/0/0001",
        "tile/0/01",
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/0/x000/001",  # non-canonical: leading zero group
        "tile/0/x001",
        "tile/0/001/x002",
        "tile/0/x1/000",
        "tile/0/001.p/256",
        "tile/0/001.p/0",
        "tile/0/001.p/017",
        "tile/0/001.p",
        "tile/0/001.p/",
        "tile/0/001.p/1/2",
        "tile/0/.p/5",
        "tile/0/00a",
        "tile/0/\u0660\u0660\u0661",  # Arabic-Indic digits are not ASCII digits
        "tile/\u0661/000",
        "tiles/0/000",
        "/tile/0/000",
        "tile/0/000/",
        "tile/0/",
        "tile/entries",
        "tile/entry/000",
        "tile/0",
        "",
    ],
)
def test_malformed_paths_are_refused(path: str) -> None:
    with pytest.raises(ValueError, match="tile"):
        parse_tile_path(path)


def test_tile_coordinates_are_validated() -> None:
    for bad in ((-2, 0, 1), (64, 0, 1), (0, -1, 1), (0, 0, 0), (0, 0, 257)):
        with pytest.raises(ValueError, match="tile"):
            Tile(*bad)
    tile = Tile(1, 2, 17)
    assert tile.is_partial
    assert not tile.is_entries
    assert tile.full == Tile(1, 2)
    assert tile.leaf_range == (2 * 256 * 256, 2 * 256 * 256 + 17 * 256)
    assert Tile(ENTRIES_LEVEL, 3, 5).leaf_range == (768, 773)


# --- which tiles exist -----------------------------------------------------------------------


def test_spec_example_of_70000_leaves() -> None:
    tiles = tiles_for_size(70_000)
    level0 = [t for t in tiles if t.level == 0]
    assert len([t for t in level0 if not t.is_partial]) == 273
    assert [t for t in level0 if t.is_partial] == [Tile(0, 273, 112)]
    assert [t for t in tiles if t.level == 1] == [Tile(1, 0), Tile(1, 1, 17)]
    assert [t for t in tiles if t.level == 2] == [Tile(2, 0, 1)]
    assert len(tiles) == 277


def test_spec_example_of_256_leaves() -> None:
    assert tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert tiles_for_size(0) == []
    assert tiles_for_size(1) == [Tile(0, 0, 1)]


def test_tile_width() -> None:
    assert tile_width(0, 273, 70_000) == 112
    assert tile_width(0, 272, 70_000) == TILE_WIDTH
    assert tile_width(0, 274, 70_000) == 0
    assert tile_width(1, 1, 70_000) == 17
    assert tile_width(2, 0, 70_000) == 1
    assert tile_width(3, 0, 70_000) == 0
    assert tile_width(ENTRIES_LEVEL, 273, 70_000) == 112


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 300_000), st.integers(0, 300_000))
def test_new_tiles_are_the_difference_of_two_sizes(a: int, b: int) -> None:
    old, new = min(a, b), max(a, b)
    expected = sorted(set(tiles_for_size(new)) - set(tiles_for_size(old)))
    assert sorted(new_tiles(old, new)) == expected


def test_new_tiles_refuses_shrinking() -> None:
    with pytest.raises(ValueError, match="grow"):
        new_tiles(5, 4)


# --- tile contents ---------------------------------------------------------------------------


def test_tile_contents_follow_the_spec_definition() -> None:
    # tile n at level l, hash i = MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l])
    leaf_hashes = [leaf_hash(e) for e in ENTRIES]
    for tile in (Tile(0, 0), Tile(0, 273, 112), Tile(1, 0), Tile(1, 1, 17), Tile(2, 0, 1)):
        data = read_tile(tile, TREE.read_hashes)
        assert len(data) == tile.width * 32
        span = 256**tile.level
        for i in (0, tile.width // 2, tile.width - 1):
            start = (tile.index * 256 + i) * span
            expected = merkle.root(leaf_hashes[start : start + span])
            assert data[i * 32 : (i + 1) * 32] == expected


def test_every_stored_hash_is_readable_from_its_tile() -> None:
    size = 5_000
    tiles = _fetch(tiles_for_size(size))
    for index in range(merkle.stored_hash_count(size)):
        tile = tile_for_stored_hash(index, size)
        assert tile in tiles
        assert hash_from_tile(tile, tiles[tile], index) == TREE.read_hashes([index])[0]


def test_hashes_outside_the_tree_have_no_tile() -> None:
    # Leaf 5,000 is not in a tree of 5,000 leaves; nor is the level-1 hash over leaves 4,998-4,999
    # in a tree of 4,999.
    with pytest.raises(ValueError, match="not in a tree"):
        tile_for_stored_hash(stored_hash_index(0, 5_000), 5_000)
    with pytest.raises(ValueError, match="not in a tree"):
        tile_for_stored_hash(stored_hash_index(1, 2_499), 4_999)
    with pytest.raises(ValueError, match="does not exist"):
        tile_for_stored_hash(stored_hash_index(8, 0), 255)


def test_hash_from_tile_checks_its_input() -> None:
    tile = Tile(0, 0, 4)
    data = read_tile(tile, TREE.read_hashes)
    with pytest.raises(ValueError, match="must be 128 bytes"):
        hash_from_tile(tile, data[:-1], stored_hash_index(0, 0))
    with pytest.raises(ValueError, match="cannot be computed"):
        hash_from_tile(tile, data, stored_hash_index(0, 4))
    with pytest.raises(ValueError, match="cannot be computed"):
        hash_from_tile(tile, data, stored_hash_index(8, 0))
    with pytest.raises(ValueError, match="entry bundle"):
        tile_hash_indexes(Tile(ENTRIES_LEVEL, 0))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_client_computes_roots_and_proofs_from_tiles(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, SIZE), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(1, size), label="old")
    fetched = _fetch(root_tiles(size))
    assert merkle.tree_root(size, lambda ix: read_hashes_from_tiles(ix, size, fetched)) == (
        TREE.root(size)
    )

    def reader(indexes: list[int]) -> list[bytes]:
        fetched.update(_fetch(tiles_for_hashes(indexes, size)))
        return read_hashes_from_tiles(indexes, size, fetched)

    proof = merkle.inclusion_proof(index, size, reader)
    assert proof == TREE.inclusion_proof(index, size)
    merkle.verify_inclusion(index, size, TREE.leaf_hash(index), proof, TREE.root(size))
    consistency = merkle.consistency_proof(old, size, reader)
    assert consistency == TREE.consistency_proof(old, size)


def test_missing_tile_is_reported() -> None:
    with pytest.raises(KeyError, match="not fetched"):
        read_hashes_from_tiles([0], 10, {})


def test_root_tiles_of_the_spec_example() -> None:
    assert root_tiles(0) == []
    assert root_tiles(70_000) == [Tile(2, 0, 1), Tile(1, 1, 17), Tile(0, 273, 112)]


# --- entry bundles ---------------------------------------------------------------------------


def test_entry_bundle_encoding() -> None:
    assert encode_entry_bundle([b"", b"ab", b"\x00"]) == b"\x00\x00\x00\x02ab\x00\x01\x00"
    assert decode_entry_bundle(b"\x00\x00\x00\x02ab\x00\x01\x00") == [b"", b"ab", b"\x00"]
    big = b"x" * 0xFFFF
    assert decode_entry_bundle(encode_entry_bundle([big]), 1) == [big]
    assert encode_entry_bundle([]) == b""
    assert decode_entry_bundle(b"") == []


@given(st.lists(st.binary(max_size=300), max_size=TILE_WIDTH))
def test_entry_bundles_round_trip(entries: list[bytes]) -> None:
    assert decode_entry_bundle(encode_entry_bundle(entries), len(entries)) == entries


def test_bad_entry_bundles_are_refused() -> None:
    with pytest.raises(ValueError, match="uint16"):
        encode_entry_bundle([b"x" * 0x10000])
    with pytest.raises(ValueError, match="at most 256"):
        encode_entry_bundle([b""] * 257)
    with pytest.raises(ValueError, match="inside the length"):
        decode_entry_bundle(b"\x00\x01a\x00")
    with pytest.raises(ValueError, match="inside entry 1"):
        decode_entry_bundle(b"\x00\x01a\x00\x05abc")
    with pytest.raises(ValueError, match="expected 3"):
        decode_entry_bundle(b"\x00\x01a", 3)
    with pytest.raises(ValueError, match="more than 256"):
        decode_entry_bundle(b"\x00\x00" * 257)


def test_entry_bundles_of_a_log() -> None:
    assert entry_bundle_for(0, 1) == Tile(ENTRIES_LEVEL, 0, 1)
    assert entry_bundle_for(69_999, 70_000) == Tile(ENTRIES_LEVEL, 273, 112)
    assert entry_bundle_for(300, 70_000) == Tile(ENTRIES_LEVEL, 1)
    with pytest.raises(ValueError, match="outside"):
        entry_bundle_for(5, 5)
    bundles = entry_bundles_for_size(70_000)
    assert len(bundles) == 274
    assert bundles[-1] == Tile(ENTRIES_LEVEL, 273, 112)
    assert entry_bundles_for_size(512) == [Tile(ENTRIES_LEVEL, 0), Tile(ENTRIES_LEVEL, 1)]
    # Each entry of a bundle hashes to the matching hash of the level-0 tile.
    bundle = encode_entry_bundle(ENTRIES[273 * 256 :])
    tile_data = read_tile(Tile(0, 273, 112), TREE.read_hashes)
    decoded = decode_entry_bundle(bundle, 112)
    assert b"".join(leaf_hash(e) for e in decoded) == tile_data
