"""A client of tiled transparency logs (C2SP tlog-tiles): fetch, verify, prove.

No Django: the standard library (urllib) and the pure modules :mod:`weh.ledger.merkle`,
:mod:`weh.ledger.tiles` and :mod:`weh.ledger.note`. It trusts nothing the server says until it
has checked it: the checkpoint against a verifier key the user supplies, every tile hash against
the checkpoint's root (through a recomputed root or a verified proof), every entry against the
leaf hash in its tile. ``weh verify log`` and ``weh verify entry`` are built on it; it works for
any log in these formats, not only WEH's.

Every failure raises :class:`VerificationError` (or :class:`FetchError` when the server cannot be
read) with a message that says what did not match.
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from weh.ledger import merkle
from weh.ledger.note import Checkpoint, NoteError, Verifier, open_checkpoint
from weh.ledger.tiles import (
    TILE_WIDTH,
    Tile,
    decode_entry_bundle,
    encode_entry_bundle,
    entry_bundle_for,
    entry_bundles_for_size,
    read_hashes_from_tiles,
    tile_for_stored_hash,
    tiles_for_hashes,
)

__all__ = [
    "FETCH_TIMEOUT",
    "FetchError",
    "Fetcher",
    "LogClient",
    "NotFoundError",
    "VerificationError",
    "VerifiedCheckpoint",
    "VerifiedEntry",
    "b64",
    "http_fetcher",
    "log_prefix",
    "open_verified",
    "parse_vkey",
    "summaries",
    "verify_entry_document",
]

FETCH_TIMEOUT = 15
MAX_RESPONSE_BYTES = (
    4_000_000  # a full entry bundle is at most 256 entries of 64 KiB; ours far less
)

Fetcher = Callable[[str], bytes]
"""Fetches one URL's body; raises NotFoundError for a 404 and FetchError for other failures."""


class VerificationError(Exception):
    """Something the log served does not verify; the message says what."""


class FetchError(VerificationError):
    """A resource could not be fetched."""


class NotFoundError(FetchError):
    """The server answered 404."""


def log_prefix(url: str) -> str:
    """Normalise a log URL: ``https://host/log`` stays; a bare ``https://host`` gets ``/log``."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise FetchError(f"the log URL must be http(s)://host/prefix, not {url!r}")
    path = parts.path.rstrip("/") or "/log"
    return f"{parts.scheme}://{parts.netloc}{path}"


def http_fetcher(timeout: float = FETCH_TIMEOUT, max_bytes: int = MAX_RESPONSE_BYTES) -> Fetcher:
    """A Fetcher over urllib (http and https only)."""

    def fetch(url: str) -> bytes:
        if urlsplit(url).scheme not in {"http", "https"}:
            raise FetchError(f"{url}: only http and https are fetched")
        request = urllib.request.Request(url, headers={"User-Agent": "weh-verify/1"})  # noqa: S310 - scheme checked above
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
                data: bytes = response.read(max_bytes + 1)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise NotFoundError(f"{url}: not found (404)") from None
            raise FetchError(f"{url}: the server answered {error.code} {error.reason}") from None
        except urllib.error.URLError as error:
            raise FetchError(f"{url}: cannot connect ({error.reason})") from None
        except TimeoutError:
            raise FetchError(f"{url}: no answer within {timeout} seconds") from None
        except OSError as error:
            raise FetchError(f"{url}: {error}") from None
        if len(data) > max_bytes:
            raise FetchError(f"{url}: the answer is larger than {max_bytes} bytes")
        return data

    return fetch


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint whose signature by the log key was verified, with its note text.

    ``cosigned_by`` lists the witnesses asked for whose cosignatures verified on it.
    """

    checkpoint: Checkpoint
    note: str
    cosigned_by: tuple[Verifier, ...] = ()

    @property
    def size(self) -> int:
        """The tree size."""
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        """The root hash."""
        return self.checkpoint.root_hash


def open_verified(
    text: bytes | str,
    *,
    origin: str,
    verifier: Verifier,
    where: str,
    witnesses: Sequence[Verifier] = (),
) -> VerifiedCheckpoint:
    """Verify a signed checkpoint of ``origin`` by ``verifier``; ``where`` names it in errors.

    Cosignatures by ``witnesses`` are verified when present (a bad one fails the checkpoint)
    and reported in ``cosigned_by``; whether enough of them are there is the caller's rule.
    """
    try:
        checkpoint, note = open_checkpoint(text, origin=origin, log=verifier, cosigners=witnesses)
    except NoteError as error:
        raise VerificationError(
            f"{where} is NOT a checkpoint of {origin} signed by key "
            f"{verifier.name}+{verifier.key_id:08x}: {error}"
        ) from None
    signed = {(s.name, s.key_id) for s in note.signatures}
    cosigned = tuple(w for w in witnesses if (w.name, w.key_id) in signed)
    text = text.decode("utf-8") if isinstance(text, bytes) else text
    return VerifiedCheckpoint(checkpoint, text, cosigned)


@dataclass
class LogClient:
    """Reads and verifies the log served at ``prefix`` (e.g. ``https://weh.example.org/log``).

    ``verifier`` is the log's public key, obtained by the user from a source they trust;
    ``origin`` defaults to the key's name (C2SP: the key is named after the origin).
    """

    prefix: str
    verifier: Verifier
    origin: str = ""
    fetch: Fetcher = field(default_factory=http_fetcher)
    witnesses: tuple[Verifier, ...] = ()
    quorum: int = 0
    _tiles: dict[Tile, bytes] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        """Default the origin to the key name and drop a trailing slash of the prefix."""
        self.prefix = self.prefix.rstrip("/")
        if not self.origin:
            self.origin = self.verifier.name

    def url(self, path: str) -> str:
        """The URL of a resource below the prefix."""
        return f"{self.prefix}/{path}"

    # --- checkpoint ---------------------------------------------------------------------------

    def checkpoint(self) -> VerifiedCheckpoint:
        """Fetch ``<prefix>/checkpoint``, verify its signature by the log key and its witnesses.

        At least ``quorum`` of ``witnesses`` must have cosigned it: a checkpoint only the log
        vouches for could be a view shown to this client alone (a split view).
        """
        url = self.url("checkpoint")
        current = self.open(self.fetch(url), where=f"the checkpoint at {url}")
        if len(current.cosigned_by) < self.quorum:
            missing = [w for w in self.witnesses if w not in current.cosigned_by]
            raise VerificationError(
                f"the checkpoint at {url} ({current.size} entries) carries "
                f"{len(current.cosigned_by)} of the {self.quorum} witness cosignatures required; "
                f"none from {', '.join(f'{w.name}+{w.key_id:08x}' for w in missing)}. The "
                "witnesses may not have seen this checkpoint yet (try again in a minute), or the "
                "log is showing it to you alone."
            )
        return current

    def open(self, text: bytes | str, *, where: str) -> VerifiedCheckpoint:
        """Verify a checkpoint obtained some other way (a saved file, a proof document)."""
        return open_verified(
            text, origin=self.origin, verifier=self.verifier, where=where, witnesses=self.witnesses
        )

    # --- tiles --------------------------------------------------------------------------------

    def tile(self, tile: Tile) -> bytes:
        """Fetch a tile or entry bundle (once); check a hash tile's length.

        A partial tile or bundle the log no longer serves is read from the full one, as
        tlog-tiles lets clients do: the partial one is a prefix of it.
        """
        if tile in self._tiles:
            return self._tiles[tile]
        try:
            data = self.fetch(self.url(tile.path))
        except NotFoundError:
            if not tile.is_partial:
                raise
            full = self.fetch(self.url(tile.full.path))
            if tile.is_entries:
                try:
                    data = encode_entry_bundle(decode_entry_bundle(full)[: tile.width])
                except ValueError as error:
                    raise VerificationError(
                        f"entry bundle {tile.full.path} is malformed: {error}"
                    ) from None
            else:
                data = full[: tile.width * merkle.HASH_SIZE]
        if not tile.is_entries and len(data) != tile.width * merkle.HASH_SIZE:
            raise VerificationError(
                f"tile {tile.path} holds {len(data)} bytes, not the "
                f"{tile.width * merkle.HASH_SIZE} of {tile.width} hashes"
            )
        self._tiles[tile] = data
        return data

    def reader(self, size: int) -> merkle.HashReader:
        """A hash reader over the tiles of the tree of ``size``, fetching tiles as needed.

        Hashes read this way are not yet trusted: they are only used to build a root or proof
        that is then checked against a verified checkpoint.
        """

        def read(indexes: list[int]) -> list[bytes]:
            tiles = {t: self.tile(t) for t in tiles_for_hashes(indexes, size)}
            return read_hashes_from_tiles(indexes, size, tiles)

        return read

    # --- verification -------------------------------------------------------------------------

    def verify_root(self, current: VerifiedCheckpoint) -> None:
        """Recompute the checkpoint's root from the tiles; refuse if it differs."""
        root = merkle.tree_root(current.size, self.reader(current.size))
        if root != current.root:
            raise VerificationError(
                f"the tiles give root {b64(root)} for {current.size} entries, but the signed "
                f"checkpoint says {b64(current.root)}: the served tiles were altered"
            )

    def verify_consistency(self, old: VerifiedCheckpoint, new: VerifiedCheckpoint) -> None:
        """Check that ``new`` extends ``old`` (proof built from the tiles of ``new``)."""
        if old.size > new.size:
            raise VerificationError(
                f"inconsistent history: the log's checkpoint has {new.size} entries, fewer than "
                f"the {old.size} of the saved checkpoint (the log was rolled back or forked)"
            )
        if old.size == 0:
            return  # every tree extends the empty one
        proof = merkle.consistency_proof(old.size, new.size, self.reader(new.size))
        try:
            merkle.verify_consistency(old.size, new.size, proof, old.root, new.root)
        except merkle.ProofError as error:
            raise VerificationError(
                f"inconsistent history: the log's checkpoint of {new.size} entries does not "
                f"extend the saved checkpoint of {old.size} entries ({error}). Either the log "
                "rewrote its history (forked), or the saved checkpoint is of another tree."
            ) from None

    def entry(self, index: int, current: VerifiedCheckpoint) -> bytes:
        """Fetch entry ``index``, check it against its tile and its inclusion in ``current``."""
        if not 0 <= index < current.size:
            raise VerificationError(
                f"entry {index} is not in the checkpoint, which has {current.size} entries"
            )
        bundle = entry_bundle_for(index, current.size)
        try:
            entries = decode_entry_bundle(self.tile(bundle), bundle.width)
        except ValueError as error:
            raise VerificationError(f"entry bundle {bundle.path} is malformed: {error}") from None
        data = entries[index % TILE_WIDTH]
        leaf = merkle.leaf_hash(data)
        read = self.reader(current.size)
        stored_index = merkle.stored_hash_index(0, index)
        served = read([stored_index])[0]
        if served != leaf:
            level0 = tile_for_stored_hash(stored_index, current.size)
            raise VerificationError(
                f"entry {index} in {bundle.path} hashes to {b64(leaf)}, but {level0.path} holds "
                f"{b64(served)}: the entry or the tile was altered"
            )
        proof = merkle.inclusion_proof(index, current.size, read)
        try:
            merkle.verify_inclusion(index, current.size, leaf, proof, current.root)
        except merkle.ProofError as error:
            raise VerificationError(
                f"entry {index} is NOT proved to be in the signed tree of {current.size} "
                f"entries ({error}): the entry or the tiles were altered"
            ) from None
        return data

    def audit(
        self, current: VerifiedCheckpoint, *, progress: Callable[[int], None] | None = None
    ) -> int:
        """Fetch every entry bundle, recompute the root from the entries; return the count.

        Proves that the signed tree holds exactly the served entries, in order.
        """
        leaves: list[bytes] = []
        for bundle in entry_bundles_for_size(current.size):
            try:
                entries = decode_entry_bundle(self.tile(bundle), bundle.width)
            except ValueError as error:
                raise VerificationError(
                    f"entry bundle {bundle.path} is malformed: {error}"
                ) from None
            leaves.extend(merkle.leaf_hash(e) for e in entries)
            if progress is not None:
                progress(len(leaves))
        root = merkle.root(leaves)
        if root != current.root:
            raise VerificationError(
                f"the {len(leaves)} served entries give root {b64(root)}, but the signed "
                f"checkpoint says {b64(current.root)}: entries were altered, removed or added"
            )
        return len(leaves)


# --- saved proofs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedEntry:
    """An entry proved to be in a signed checkpoint."""

    index: int
    data: bytes
    checkpoint: VerifiedCheckpoint

    @property
    def document(self) -> dict[str, Any]:
        """The entry parsed as JSON."""
        parsed: dict[str, Any] = json.loads(self.data)
        return parsed


def b64(data: bytes) -> str:
    """Standard base64 text of ``data`` (how hashes are shown and served)."""
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise VerificationError(f"{what} is not a base64 string")
    try:
        data = base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise VerificationError(f"{what} is not valid base64") from None
    if len(data) != merkle.HASH_SIZE:
        raise VerificationError(f"{what} is not a {merkle.HASH_SIZE}-byte hash")
    return data


def verify_entry_document(
    document: Mapping[str, Any] | bytes | str, *, verifier: Verifier, origin: str = ""
) -> VerifiedEntry:
    """Verify a saved entry proof (the JSON of ``GET /api/v1/log/entries/{index}``).

    Checks the checkpoint's signature, that the entry hashes to the leaf hash, and the
    inclusion proof against the checkpoint's root; the size and root come from the signed
    checkpoint, never from the document's other members.
    """
    if not isinstance(document, Mapping):
        try:
            document = json.loads(document)
        except (ValueError, UnicodeDecodeError) as error:
            raise VerificationError(f"not a JSON document: {error}") from None
    if not isinstance(document, Mapping):
        raise VerificationError("not a JSON object")
    if document.get("format") != "weh-log-inclusion/1":
        raise VerificationError(
            f"format is {document.get('format')!r}, not 'weh-log-inclusion/1' "
            "(save the answer of GET /api/v1/log/entries/{index})"
        )
    index, entry, proof, note = (
        document.get("index"),
        document.get("entry"),
        document.get("inclusion_proof"),
        document.get("checkpoint"),
    )
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise VerificationError("'index' is not a non-negative integer")
    if not isinstance(entry, str):
        raise VerificationError("'entry' is not a string")
    if not isinstance(note, str):
        raise VerificationError("'checkpoint' is not a signed note")
    if not isinstance(proof, list):
        raise VerificationError("'inclusion_proof' is not a list")
    current = open_verified(
        note, origin=origin or verifier.name, verifier=verifier, where="the proof's checkpoint"
    )
    data = entry.encode("utf-8")
    leaf = merkle.leaf_hash(data)
    if "leaf_hash" in document and _unb64(document["leaf_hash"], "'leaf_hash'") != leaf:
        raise VerificationError(
            f"the entry hashes to {b64(leaf)}, not to the document's leaf_hash: the entry text "
            "was altered"
        )
    hashes = [_unb64(h, f"inclusion_proof[{i}]") for i, h in enumerate(proof)]
    try:
        merkle.verify_inclusion(index, current.size, leaf, hashes, current.root)
    except merkle.ProofError as error:
        raise VerificationError(
            f"entry {index} is NOT proved to be in the signed checkpoint of {current.size} "
            f"entries: {error}"
        ) from None
    return VerifiedEntry(index, data, current)


def parse_vkey(text: str, *, where: str) -> Verifier:
    """Parse a verifier key string (``<name>+<hex id>+<base64>``); ``where`` names its source."""
    try:
        return Verifier.from_vkey(text.strip())
    except NoteError as error:
        raise VerificationError(f"{where} is not a verifier key string: {error}") from None


def summaries(entries: Iterable[bytes]) -> list[str]:
    """One line per entry: type, subject and time, for printing."""
    lines = []
    for data in entries:
        try:
            doc = json.loads(data)
            lines.append(f"{doc.get('type')} {doc.get('subject')} at {doc.get('timestamp')}")
        except ValueError:
            lines.append(f"(not JSON: {len(data)} bytes)")
    return lines
