"""C2SP tlog-tiles arithmetic: tile coordinates and paths, tile contents, entry bundles.

Pure Python, no Django. A tiled log serves its Merkle tree as *tiles* of height 8: tile N at
level L is the run of up to 256 consecutive tree hashes at tree level 8·L, hashes
N·256 … N·256 + 255, each the root of 256^L leaves — exactly the stored hashes
(8·L, N·256 + i) of :mod:`weh.ledger.merkle`, so a tile is read straight from storage. Every
hash between two tile levels is recomputed from the tile below. A tile that is not yet full is
*partial*: its width W (1-255) is the number of hashes present at the checkpoint's tree size,
and its path ends in ``.p/<W>``. Entries are served the same way as *entry bundles*
(``tile/entries/…``), one per level-0 tile, each entry prefixed by its big-endian uint16 length.

Paths here are relative to the log prefix (``tile/1/x001/x234/067``); the caller adds the prefix.
Hashes taken from tiles need no separate authentication when they only feed a proof that is
then verified against a signed checkpoint's root.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from weh.ledger.merkle import (
    HASH_SIZE,
    HashReader,
    node_hash,
    split_stored_hash_index,
    stored_hash_index,
    subtree_hash_indexes,
)

__all__ = [
    "ENTRIES_LEVEL",
    "MAX_ENTRY_SIZE",
    "MAX_TILE_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "Tile",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "entry_bundle_for",
    "entry_bundles_for_size",
    "hash_from_tile",
    "new_tiles",
    "parse_tile_path",
    "read_hashes_from_tiles",
    "read_tile",
    "root_tiles",
    "tile_for_stored_hash",
    "tile_hash_indexes",
    "tile_path",
    "tile_width",
    "tiles_for_hashes",
    "tiles_for_size",
]

TILE_HEIGHT = 8
"""Tree levels per tile (fixed by tlog-tiles)."""

TILE_WIDTH = 1 << TILE_HEIGHT
"""Hashes in a full tile (256), and entries in a full bundle."""

ENTRIES_LEVEL = -1
"""The ``level`` of a :class:`Tile` that stands for an entry bundle (``tile/entries/…``)."""

MAX_TILE_LEVEL = 63
"""Largest level a tile path may name (tlog-tiles)."""

MAX_ENTRY_SIZE = 0xFFFF
"""Largest entry a bundle can carry: its length prefix is a uint16."""

_LEVEL_RE = re.compile(r"0|[1-9][0-9]{0,1}")
_WIDTH_RE = re.compile(r"[1-9][0-9]{0,2}")
_GROUP_RE = re.compile(r"x[0-9]{3}")
_LAST_GROUP_RE = re.compile(r"[0-9]{3}")


@dataclass(frozen=True, order=True)
class Tile:
    """A tile (level ≥ 0) or entry bundle (level -1) with index ``index`` and ``width`` items."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        """Refuse coordinates no tile path can express."""
        if not ENTRIES_LEVEL <= self.level <= MAX_TILE_LEVEL:
            raise ValueError(f"tile level {self.level} is outside {ENTRIES_LEVEL} … 63")
        if self.index < 0:
            raise ValueError(f"tile index {self.index} is negative")
        if not 1 <= self.width <= TILE_WIDTH:
            raise ValueError(f"tile width {self.width} is outside 1 … {TILE_WIDTH}")

    @property
    def is_entries(self) -> bool:
        """Whether this is an entry bundle rather than a hash tile."""
        return self.level == ENTRIES_LEVEL

    @property
    def is_partial(self) -> bool:
        """Whether the tile holds fewer than 256 items (its path then ends in ``.p/<W>``)."""
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        """The tile's path below the log prefix, e.g. ``tile/0/x001/234.p/17``."""
        return tile_path(self.level, self.index, self.width)

    @property
    def leaf_range(self) -> tuple[int, int]:
        """The leaves [start, end) this tile's items span (for a bundle: its entries)."""
        span = 1 << (TILE_HEIGHT * max(self.level, 0))
        start = self.index * TILE_WIDTH * span
        return start, start + self.width * span

    @property
    def full(self) -> Tile:
        """The full tile at the same coordinates (what replaces this one once complete)."""
        return Tile(self.level, self.index)


# --- paths -----------------------------------------------------------------------------------


def _encode_index(index: int) -> str:
    groups: list[int] = []
    while True:
        index, group = divmod(index, 1000)
        groups.append(group)
        if not index:
            break
    groups.reverse()
    return "/".join([*(f"x{g:03d}" for g in groups[:-1]), f"{groups[-1]:03d}"])


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """Return the tlog-tiles path of a tile (level ≥ 0) or entry bundle (level -1).

    The index is written in 3-digit groups, all but the last prefixed with ``x``
    (1234067 → ``x001/x234/067``), so a file system never holds a name that is both a file and a
    directory; a partial tile adds ``.p/<width>``.
    """
    tile = Tile(level, index, width)  # validates
    head = "tile/entries" if tile.is_entries else f"tile/{tile.level}"
    tail = f".p/{tile.width}" if tile.is_partial else ""
    return f"{head}/{_encode_index(tile.index)}{tail}"


def parse_tile_path(path: str) -> Tile:
    """Parse a path made by :func:`tile_path`; refuse anything malformed or non-canonical.

    Non-canonical spellings (``x000`` leading groups, leading zeros in the level or width,
    ``.p/256``, a missing ``x``) are refused, so each tile has exactly one path and a cache
    can never hold two copies of it.
    """
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise ValueError(f"not a tile path: {path!r}")
    if parts[1] == "entries":
        level = ENTRIES_LEVEL
    elif _LEVEL_RE.fullmatch(parts[1]) and int(parts[1]) <= MAX_TILE_LEVEL:
        level = int(parts[1])
    else:
        raise ValueError(f"bad tile level in {path!r}")
    groups = parts[2:]
    width = TILE_WIDTH
    if len(groups) >= 2 and groups[-2].endswith(".p"):
        if not _WIDTH_RE.fullmatch(groups[-1]) or int(groups[-1]) >= TILE_WIDTH:
            raise ValueError(f"bad partial tile width in {path!r}")
        width = int(groups[-1])
        groups = [*groups[:-2], groups[-2][:-2]]
    if not _LAST_GROUP_RE.fullmatch(groups[-1]) or not all(
        _GROUP_RE.fullmatch(g) for g in groups[:-1]
    ):
        raise ValueError(f"bad tile index in {path!r}")
    index = int("".join(g.lstrip("x") for g in groups))
    tile = Tile(level, index, width)
    if tile.path != path:
        raise ValueError(f"non-canonical tile path {path!r} (canonical: {tile.path!r})")
    return tile


# --- tiles and stored hashes -----------------------------------------------------------------


def tile_width(level: int, index: int, size: int) -> int:
    """Return how many hashes tile (level, index) holds in a tree of ``size`` leaves (0: none).

    Level L holds one hash per complete run of 256^L leaves; level -1 (bundles) counts entries.
    """
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    present = size >> (TILE_HEIGHT * max(level, 0))
    return max(0, min(TILE_WIDTH, present - index * TILE_WIDTH))


def _tile_at(level: int, index: int, size: int) -> Tile:
    width = tile_width(level, index, size)
    if not width:
        raise ValueError(f"tile {level}/{index} does not exist in a tree of size {size}")
    return Tile(level, index, width)


def tile_hash_indexes(tile: Tile) -> list[int]:
    """Return the stored-hash indexes of the hashes a tile's data holds, in order."""
    if tile.is_entries:
        raise ValueError("an entry bundle holds entries, not hashes")
    level = TILE_HEIGHT * tile.level
    first = tile.index * TILE_WIDTH
    return [stored_hash_index(level, first + i) for i in range(tile.width)]


def read_tile(tile: Tile, read_hashes: HashReader) -> bytes:
    """Return a tile's data (its hashes concatenated) from storage, in one read."""
    indexes = tile_hash_indexes(tile)
    hashes = read_hashes(indexes)
    if len(hashes) != len(indexes) or any(len(h) != HASH_SIZE for h in hashes):
        raise ValueError(f"hash reader did not return {len(indexes)} 32-byte hashes")
    return b"".join(hashes)


def tile_for_stored_hash(index: int, size: int) -> Tile:
    """Return the tile from which stored hash ``index`` is read, at its width at ``size``.

    Hashes at levels 8·L are read directly; one at level 8·L + k (0 < k < 8) is the root of
    2^k consecutive hashes of the same tile. Refuses a hash the tree of ``size`` does not have.
    """
    level, n = split_stored_hash_index(index)
    tile_level, within = divmod(level, TILE_HEIGHT)
    first = n << within  # first tile-level hash under (level, n)
    tile = _tile_at(tile_level, first // TILE_WIDTH, size)
    if first + (1 << within) > tile.index * TILE_WIDTH + tile.width:
        raise ValueError(f"stored hash {index} is not in a tree of size {size}")
    return tile


def hash_from_tile(tile: Tile, data: bytes, index: int) -> bytes:
    """Return stored hash ``index`` computed from ``tile``'s ``data``."""
    if tile.is_entries:
        raise ValueError("an entry bundle holds entries, not hashes")
    if len(data) != tile.width * HASH_SIZE:
        raise ValueError(
            f"tile {tile.path} must be {tile.width * HASH_SIZE} bytes, not {len(data)}"
        )
    level, n = split_stored_hash_index(index)
    tile_level, within = divmod(level, TILE_HEIGHT)
    first = (n << within) - tile.index * TILE_WIDTH
    count = 1 << within
    if tile_level != tile.level or first < 0 or first + count > tile.width:
        raise ValueError(f"stored hash {index} cannot be computed from tile {tile.path}")
    hashes = [data[i * HASH_SIZE : (i + 1) * HASH_SIZE] for i in range(first, first + count)]
    # A complete subtree of 2^within tile hashes: hash pairwise up to its root.
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


def tiles_for_hashes(indexes: Iterable[int], size: int) -> list[Tile]:
    """Return the distinct tiles (at their widths for ``size``) holding these stored hashes."""
    seen: dict[Tile, None] = {}
    for index in indexes:
        seen.setdefault(tile_for_stored_hash(index, size))
    return list(seen)


def read_hashes_from_tiles(
    indexes: Iterable[int], size: int, tiles: Mapping[Tile, bytes]
) -> list[bytes]:
    """Return stored hashes computed from fetched tile data (a client-side hash reader).

    ``tiles`` maps each tile from :func:`tiles_for_hashes` to its data. Pass the result into
    :func:`weh.ledger.merkle.inclusion_proof` (via a lambda) and verify the proof against the
    checkpoint root: that verification is what authenticates the tile contents.
    """
    out: list[bytes] = []
    for index in indexes:
        tile = tile_for_stored_hash(index, size)
        data = tiles.get(tile)
        if data is None:
            raise KeyError(f"tile {tile.path} was not fetched")
        out.append(hash_from_tile(tile, data, index))
    return out


def root_tiles(size: int) -> list[Tile]:
    """Return the tiles a client fetches to recompute the root of a checkpoint of ``size``."""
    if size <= 0:
        return []
    return tiles_for_hashes(subtree_hash_indexes(0, size), size)


def tiles_for_size(size: int) -> list[Tile]:
    """Return every hash tile of a tree of ``size`` leaves, full and partial, level by level.

    For 70,000 leaves: 273 full level-0 tiles and one of width 112, one full level-1 tile and
    one of width 17, and a level-2 tile of width 1.
    """
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    tiles: list[Tile] = []
    level = 0
    while size >> (TILE_HEIGHT * level):
        present = size >> (TILE_HEIGHT * level)
        full, partial = divmod(present, TILE_WIDTH)
        tiles.extend(Tile(level, i) for i in range(full))
        if partial:
            tiles.append(Tile(level, full, partial))
        level += 1
    return tiles


def new_tiles(old_size: int, new_size: int) -> list[Tile]:
    """Return the hash tiles that are new or wider at ``new_size`` than at ``old_size``.

    These are what a log publishes with a checkpoint of ``new_size``; each level-0 tile here
    has an entry bundle of the same index and width (:func:`entry_bundle_for`).
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"tree cannot grow from {old_size} to {new_size}")
    tiles: list[Tile] = []
    level = 0
    while new_size >> (TILE_HEIGHT * level):
        old_present = old_size >> (TILE_HEIGHT * level)
        new_present = new_size >> (TILE_HEIGHT * level)
        for index in range(old_present // TILE_WIDTH, (new_present - 1) // TILE_WIDTH + 1):
            width = tile_width(level, index, new_size)
            if width > tile_width(level, index, old_size):
                tiles.append(Tile(level, index, width))
        level += 1
    return tiles


# --- entry bundles ---------------------------------------------------------------------------


def entry_bundle_for(index: int, size: int) -> Tile:
    """Return the entry bundle (at its width for ``size``) that holds entry ``index``."""
    if not 0 <= index < size:
        raise ValueError(f"entry {index} is outside a log of size {size}")
    return _tile_at(ENTRIES_LEVEL, index // TILE_WIDTH, size)


def entry_bundles_for_size(size: int) -> list[Tile]:
    """Return every entry bundle of a log of ``size`` entries (the last one maybe partial)."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    full, partial = divmod(size, TILE_WIDTH)
    bundles = [Tile(ENTRIES_LEVEL, i) for i in range(full)]
    if partial:
        bundles.append(Tile(ENTRIES_LEVEL, full, partial))
    return bundles


def encode_entry_bundle(entries: Iterable[bytes]) -> bytes:
    """Encode up to 256 entries, each prefixed with its big-endian uint16 length."""
    out = bytearray()
    for count, entry in enumerate(entries, 1):
        if len(entry) > MAX_ENTRY_SIZE:
            raise ValueError(f"entry of {len(entry)} bytes does not fit a uint16 length")
        if count > TILE_WIDTH:
            raise ValueError(f"an entry bundle holds at most {TILE_WIDTH} entries")
        out += len(entry).to_bytes(2, "big")
        out += entry
    return bytes(out)


def decode_entry_bundle(data: bytes, count: int | None = None) -> list[bytes]:
    """Decode an entry bundle; with ``count`` (the bundle's width), require exactly that many.

    Refuses a truncated length or entry and more than 256 entries.
    """
    entries: list[bytes] = []
    pos = 0
    end = len(data)
    while pos < end:
        if len(entries) == TILE_WIDTH:
            raise ValueError(f"entry bundle holds more than {TILE_WIDTH} entries")
        if pos + 2 > end:
            raise ValueError(f"entry bundle ends inside the length of entry {len(entries)}")
        length = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2
        if pos + length > end:
            raise ValueError(f"entry bundle ends inside entry {len(entries)}")
        entries.append(bytes(data[pos : pos + length]))
        pos += length
    if count is not None and len(entries) != count:
        raise ValueError(f"entry bundle holds {len(entries)} entries, expected {count}")
    return entries
