"""C2SP signed notes, tlog checkpoints and tlog cosignatures, with Ed25519 keys.

Pure Python (``cryptography`` for Ed25519), no Django. Formats, as in c2sp.org/signed-note,
c2sp.org/tlog-checkpoint, c2sp.org/tlog-cosignature and Go's ``golang.org/x/mod/sumdb/note``:

* A signed note is UTF-8 text ending in a newline, a blank line, then signature lines
  ``— <key name> <base64(4-byte key id ‖ signature)>`` (em dash U+2014). The signed bytes are the
  text including its final newline. No ASCII control character other than newline may appear.
* Key id = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian; type 0x01 is a plain
  Ed25519 note signature, 0x04 an Ed25519 ``cosignature/v1`` (tlog-cosignature).
* Verifier key: ``<name>+<8 hex key id>+<base64(type ‖ public key)>``; signer key:
  ``PRIVATE+KEY+<name>+<8 hex key id>+<base64(type ‖ 32-byte seed)>``.
* Opening a note: signatures by unknown keys are ignored, one by a known key that fails to
  verify rejects the note, and at least one known key must have signed it.
* A checkpoint's text is ``<origin>\\n<size>\\n<base64 root>\\n`` plus optional extension lines.
* A cosignature's signature is an 8-byte big-endian timestamp ‖ Ed25519 signature over
  ``cosignature/v1\\ntime <timestamp>\\n`` followed by the checkpoint text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "ALG_COSIGNATURE_V1",
    "ALG_ED25519",
    "EM_DASH",
    "MAX_SIGNATURES",
    "Checkpoint",
    "Note",
    "NoteError",
    "Signature",
    "Signer",
    "Verifier",
    "cosign_checkpoint",
    "cosignature_message",
    "cosignature_timestamp",
    "format_note",
    "key_id",
    "open_checkpoint",
    "open_note",
    "parse_note",
    "sign_checkpoint",
    "sign_note",
    "validate_name",
]

ALG_ED25519 = 0x01
"""Signature type of plain Ed25519 note signatures (signed-note)."""

ALG_COSIGNATURE_V1 = 0x04
"""Signature type of timestamped Ed25519 witness cosignatures (tlog-cosignature)."""

EM_DASH = "\u2014"
"""Starts every signature line."""

MAX_SIGNATURES = 100
"""Most signature lines a note may carry (the spec requires accepting at least 16; Go: 100)."""

MAX_TIMESTAMP = (1 << 63) - 1
"""Largest cosignature timestamp (tlog-cosignature)."""

MAX_TREE_SIZE = (1 << 64) - 1
"""Largest checkpoint tree size accepted (uint64, as other implementations store it)."""

_ALGORITHMS = (ALG_ED25519, ALG_COSIGNATURE_V1)
_HEX_ID_RE = re.compile(r"[0-9a-fA-F]{8}")
_SIZE_RE = re.compile(r"0|[1-9][0-9]*")
_COSIGNATURE_HEADER = b"cosignature/v1\n"
_SIG_PREFIX = EM_DASH + " "


class NoteError(ValueError):
    """A note, key, checkpoint or signature is malformed, unsigned or forged."""


# --- names and keys --------------------------------------------------------------------------


def validate_name(name: str) -> str:
    """Return ``name`` if it is a valid key name: non-empty, no Unicode space, no '+'.

    Control characters are refused too, since no note may contain them.
    """
    if not name:
        raise NoteError("key name is empty")
    for ch in name:
        if ch.isspace() or ch == "+" or ord(ch) < 0x20 or ch == "\x7f":
            raise NoteError(f"key name {name!r} contains {ch!r}")
    return name


def key_id(name: str, alg: int, public_key: bytes) -> int:
    """Return the 32-bit key id: SHA-256(name ‖ 0x0A ‖ alg ‖ public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise NoteError(f"{what} is not valid base64") from exc


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _check_alg(alg: int) -> None:
    if alg not in _ALGORITHMS:
        raise NoteError(f"unsupported signature type 0x{alg:02x}")


@dataclass(frozen=True)
class Verifier:
    """A public key that checks note signatures of one type (0x01 or 0x04) under one name."""

    name: str
    key_id: int
    alg: int
    public_key: bytes
    _key: Ed25519PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the name, type and key, and that the key id is the one the key derives."""
        validate_name(self.name)
        _check_alg(self.alg)
        if len(self.public_key) != 32:
            raise NoteError(f"Ed25519 public key must be 32 bytes, not {len(self.public_key)}")
        if self.key_id != key_id(self.name, self.alg, self.public_key):
            raise NoteError(f"key id {self.key_id:08x} does not match key {self.name}")
        try:
            key = Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError as exc:
            raise NoteError(f"invalid Ed25519 public key for {self.name}") from exc
        object.__setattr__(self, "_key", key)

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes, alg: int = ALG_ED25519) -> Verifier:
        """Build a verifier from a name and a raw 32-byte Ed25519 public key."""
        validate_name(name)
        _check_alg(alg)
        return cls(name, key_id(name, alg, public_key), alg, public_key)

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse a verifier key ``<name>+<hex id>+<base64(type ‖ key)>``."""
        parts = vkey.split("+", 2)  # the base64 may itself contain '+'
        if len(parts) != 3 or not _HEX_ID_RE.fullmatch(parts[1]):
            raise NoteError("malformed verifier key")
        name, hex_id, key64 = parts
        validate_name(name)
        raw = _b64decode(key64, "verifier key")
        if len(raw) != 33:
            raise NoteError("verifier key must hold a type byte and a 32-byte Ed25519 key")
        return cls(name, int(hex_id, 16), raw[0], raw[1:])

    @property
    def vkey(self) -> str:
        """The verifier key string."""
        return f"{self.name}+{self.key_id:08x}+{_b64encode(bytes([self.alg]) + self.public_key)}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` (without the key id) is this key's over note ``text``."""
        if self.alg == ALG_COSIGNATURE_V1:
            if len(signature) != 8 + 64:
                return False
            timestamp = int.from_bytes(signature[:8], "big")
            if timestamp > MAX_TIMESTAMP:
                return False
            message = cosignature_message(text, timestamp)
            signature = signature[8:]
        else:
            if len(signature) != 64:
                return False
            message = text
        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Signer:
    """An Ed25519 private key that signs notes (type 0x01) or cosigns checkpoints (0x04).

    Its ``repr`` names the key but never shows the secret; ``skey`` does, for secure storage.
    """

    __slots__ = ("_key", "_verifier", "alg", "name")

    def __init__(self, name: str, private_key: Ed25519PrivateKey, alg: int = ALG_ED25519) -> None:
        """Wrap ``private_key`` as the signer ``name`` of signature type ``alg``."""
        validate_name(name)
        _check_alg(alg)
        self.name = name
        self.alg = alg
        self._key = private_key
        public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._verifier = Verifier.from_public_key(name, public, alg)

    @classmethod
    def generate(cls, name: str, alg: int = ALG_ED25519) -> Signer:
        """Create a signer with a fresh random key."""
        return cls(name, Ed25519PrivateKey.generate(), alg)

    @classmethod
    def from_seed(cls, name: str, seed: bytes, alg: int = ALG_ED25519) -> Signer:
        """Create a signer from a 32-byte Ed25519 seed (RFC 8032 private key)."""
        if len(seed) != 32:
            raise NoteError(f"Ed25519 seed must be 32 bytes, not {len(seed)}")
        return cls(name, Ed25519PrivateKey.from_private_bytes(seed), alg)

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse a signer key ``PRIVATE+KEY+<name>+<hex id>+<base64(type ‖ seed)>``.

        The key id is checked against the public key the seed derives.
        """
        parts = skey.split("+", 4)
        if (
            len(parts) != 5
            or parts[0] != "PRIVATE"
            or parts[1] != "KEY"
            or not _HEX_ID_RE.fullmatch(parts[3])
        ):
            raise NoteError("malformed signer key")
        name, hex_id, key64 = parts[2], parts[3], parts[4]
        raw = _b64decode(key64, "signer key")
        if len(raw) != 33:
            raise NoteError("signer key must hold a type byte and a 32-byte Ed25519 seed")
        signer = cls.from_seed(name, raw[1:], raw[0])
        if signer.key_id != int(hex_id, 16):
            raise NoteError(f"signer key id {hex_id} does not match the key of {name}")
        return signer

    def __repr__(self) -> str:
        """Name the key without revealing it."""
        return f"Signer({self.name}+{self.key_id:08x}, type 0x{self.alg:02x})"

    @property
    def key_id(self) -> int:
        """The 32-bit key id."""
        return self._verifier.key_id

    @property
    def verifier(self) -> Verifier:
        """The matching verifier."""
        return self._verifier

    @property
    def vkey(self) -> str:
        """The matching verifier key string (public)."""
        return self._verifier.vkey

    @property
    def skey(self) -> str:
        """The signer key string (secret: it holds the seed)."""
        seed = self._key.private_bytes_raw()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{_b64encode(bytes([self.alg]) + seed)}"

    def sign(self, text: bytes, *, timestamp: int | None = None) -> bytes:
        """Return the signature (without key id) over note ``text``.

        A cosigner (type 0x04) signs ``cosignature/v1`` with ``timestamp`` (default: now) and
        returns timestamp ‖ signature; a plain signer ignores ``timestamp``.
        """
        if self.alg == ALG_COSIGNATURE_V1:
            when = int(time.time()) if timestamp is None else timestamp
            return when.to_bytes(8, "big") + self._key.sign(cosignature_message(text, when))
        return self._key.sign(text)


# --- notes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key id and the signature bytes after the id."""

    name: str
    key_id: int
    signature: bytes

    def __post_init__(self) -> None:
        """Check the name and that the id fits 32 bits."""
        validate_name(self.name)
        if not 0 <= self.key_id <= 0xFFFFFFFF:
            raise NoteError(f"key id {self.key_id} does not fit 32 bits")

    @property
    def line(self) -> str:
        """The signature line, newline included."""
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_SIG_PREFIX}{self.name} {_b64encode(blob)}\n"

    @classmethod
    def parse_line(cls, line: str) -> Signature:
        """Parse one signature line (with or without its newline)."""
        line = line.removesuffix("\n")
        if not line.startswith(_SIG_PREFIX):
            raise NoteError("signature line does not start with an em dash and a space")
        name, space, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not space or not b64:
            raise NoteError("signature line has no signature")
        blob = _b64decode(b64, "signature")
        if len(blob) < 5:
            raise NoteError("signature is shorter than a key id and one byte")
        return cls(name, int.from_bytes(blob[:4], "big"), blob[4:])


@dataclass(frozen=True)
class Note:
    """A note's text with its verified and its ignored (unknown-key) signatures."""

    text: str
    signatures: tuple[Signature, ...] = ()
    unverified: tuple[Signature, ...] = ()


def _check_text(text: str) -> None:
    for ch in text:
        if ord(ch) < 0x20 and ch != "\n":
            raise NoteError(f"note contains control character {ch!r}")


def _decode(msg: bytes | str) -> str:
    if isinstance(msg, str):
        return msg
    try:
        return msg.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteError("note is not valid UTF-8") from exc


def parse_note(msg: bytes | str) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and signatures, checking only the format.

    The text ends at the last blank line; every following line must be a signature line.
    Refuses invalid UTF-8, control characters, and more than :data:`MAX_SIGNATURES` lines.
    """
    note = _decode(msg)
    _check_text(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("note has no signature lines, or they do not end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    return text, [Signature.parse_line(line) for line in lines]


def open_note(msg: bytes | str, verifiers: Iterable[Verifier]) -> Note:
    """Parse a signed note and verify it against known keys.

    Signatures whose (name, key id) match no verifier are kept as ``unverified`` and otherwise
    ignored; a known key's signature that does not verify rejects the note; a repeated line by
    the same known key counts once; at least one known key must have signed.
    """
    text, signatures = parse_note(msg)
    known: dict[tuple[str, int], Verifier] = {}
    for verifier in verifiers:
        ident = (verifier.name, verifier.key_id)
        if ident in known and known[ident] != verifier:
            raise NoteError(f"two verifiers share the key {verifier.name}+{verifier.key_id:08x}")
        known[ident] = verifier
    data = text.encode()
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for sig in signatures:
        ident = (sig.name, sig.key_id)
        key = known.get(ident)
        if key is None:
            if sig not in unverified:
                unverified.append(sig)
            continue
        if ident in seen:
            continue
        seen.add(ident)
        if not key.verify(data, sig.signature):
            raise NoteError(f"invalid signature by {sig.name}+{sig.key_id:08x}")
        verified.append(sig)
    if not verified:
        raise NoteError("note has no valid signature by a known key")
    return Note(text, tuple(verified), tuple(unverified))


def format_note(text: str, signatures: Iterable[Signature]) -> str:
    """Return the signed note of ``text`` and these signature lines (at least one)."""
    _check_note_text(text)
    lines = [sig.line for sig in signatures]
    if not lines:
        raise NoteError("a signed note needs at least one signature")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"a note carries at most {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(lines)


def _check_note_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    _check_text(text)


def sign_note(text: str, signers: Sequence[Signer], *, signatures: Iterable[Signature] = ()) -> str:
    """Sign ``text`` with each signer and return the note.

    Existing ``signatures`` (e.g. from a note being re-signed) come first, except those by a
    key that signs now; the new signatures follow, as in Go's ``note.Sign``.
    """
    _check_note_text(text)
    data = text.encode()
    fresh = [Signature(s.name, s.key_id, s.sign(data)) for s in signers]
    replaced = {(s.name, s.key_id) for s in fresh}
    kept = [s for s in signatures if (s.name, s.key_id) not in replaced]
    return format_note(text, [*kept, *fresh])


# --- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tlog checkpoint: origin, tree size, root hash and optional extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        """Refuse values whose text would not parse back to the same checkpoint."""
        for what, line in (("origin", self.origin), *(("extension", e) for e in self.extensions)):
            if not line:
                raise NoteError(f"checkpoint {what} line is empty")
            if "\n" in line:
                raise NoteError(f"checkpoint {what} line contains a newline")
            _check_text(line)
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise NoteError(f"checkpoint size {self.size} is outside 0 … 2^64 - 1")
        if len(self.root_hash) != 32:
            raise NoteError(f"checkpoint root hash must be 32 bytes, not {len(self.root_hash)}")

    @property
    def body(self) -> str:
        """The note text: origin, size, base64 root and extension lines, each ending in \\n."""
        lines = [self.origin, str(self.size), _b64encode(self.root_hash), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint's note text, refusing non-canonical size or root encodings."""
        if not text.endswith("\n"):
            raise NoteError("checkpoint text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError("checkpoint needs origin, size and root hash lines")
        origin, size_text, root_text, *extensions = lines
        if not _SIZE_RE.fullmatch(size_text):
            raise NoteError(f"checkpoint size {size_text!r} is not a canonical decimal")
        root_hash = _b64decode(root_text, "checkpoint root hash")
        if len(root_hash) != 32 or _b64encode(root_hash) != root_text:
            raise NoteError("checkpoint root hash is not the canonical base64 of 32 bytes")
        return cls(origin, int(size_text), root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[Signer]) -> str:
    """Return the checkpoint as a note signed by ``signers`` (the log key; name = origin)."""
    return sign_note(checkpoint.body, signers)


def open_checkpoint(
    msg: bytes | str,
    *,
    origin: str,
    log: Verifier,
    cosigners: Iterable[Verifier] = (),
) -> tuple[Checkpoint, Note]:
    """Verify a signed checkpoint of the log ``origin`` and return it with its note.

    ``origin`` and ``log`` come from configuration, never from the checkpoint. The log's own
    signature is required; cosignatures by ``cosigners`` are verified when present (a bad one
    rejects the checkpoint) and listed in the note's ``signatures`` for a quorum check.
    """
    note = open_note(msg, [log, *cosigners])
    if not any(s.name == log.name and s.key_id == log.key_id for s in note.signatures):
        raise NoteError(f"checkpoint is not signed by the log key {log.name}+{log.key_id:08x}")
    checkpoint = Checkpoint.parse(note.text)
    if checkpoint.origin != origin:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint, note


# --- cosignatures ----------------------------------------------------------------------------


def cosignature_message(text: bytes | str, timestamp: int) -> bytes:
    """Return what a ``cosignature/v1`` signs: header, ``time <timestamp>`` and the text."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"cosignature timestamp {timestamp} is outside 0 … 2^63 - 1")
    body = text.encode() if isinstance(text, str) else text
    return _COSIGNATURE_HEADER + b"time %d\n" % timestamp + body


def cosign_checkpoint(
    checkpoint: Checkpoint | str, cosigner: Signer, timestamp: int | None = None
) -> Signature:
    """Return a witness's cosignature on a checkpoint (its ``line`` goes back to the log).

    The caller must first have verified the log's signature and the consistency proof, and
    stored the new checkpoint (tlog-witness); this only signs.
    """
    if cosigner.alg != ALG_COSIGNATURE_V1:
        raise NoteError("cosignatures need a key of type 0x04 (cosignature/v1)")
    body = checkpoint.body if isinstance(checkpoint, Checkpoint) else checkpoint
    Checkpoint.parse(body)  # only well-formed checkpoints are cosigned
    return Signature(
        cosigner.name, cosigner.key_id, cosigner.sign(body.encode(), timestamp=timestamp)
    )


def cosignature_timestamp(signature: Signature) -> int:
    """Return the timestamp of a ``cosignature/v1`` signature (8-byte timestamp ‖ Ed25519)."""
    if len(signature.signature) != 8 + 64:
        raise NoteError("a cosignature/v1 signature is 72 bytes")
    return int.from_bytes(signature.signature[:8], "big")
