"""Witness cosigning (c2sp.org/tlog-witness, c2sp.org/tlog-cosignature), on both sides.

**Witness side.** This hub may witness other logs (``WEH_WITNESS_LOGS``: their verifier keys
and origins). A log POSTs ``<prefix>/add-checkpoint`` (here ``/log/witness/add-checkpoint``)
with a body of

* a line ``old <size>``: the size of the checkpoint the log believes this witness last cosigned
  (0 on first contact);
* up to 63 lines, each one base64 hash: the RFC 6962 consistency proof from that size;
* an empty line, then the log's signed checkpoint note.

:func:`add_checkpoint` answers as the specification says: 400 for a malformed request or an old
size above the checkpoint's, 404 for an origin not witnessed, 403 when no trusted key signed,
409 when the old size is not the stored one (body: the stored size and a newline, content type
``text/x.tlog.size``) or when a checkpoint of the stored size has another root, 422 when the
proof does not verify. Otherwise the checkpoint replaces the stored one and the answer is this
witness's cosignature line (type 0x04, ``cosignature/v1``). The check of the old size and the
update run in one transaction on the origin's locked :class:`~weh.ledger.models.WitnessState`
row, so two requests never both move the state, and nothing inconsistent with the stored
checkpoint is ever cosigned. Refusals that could show a misbehaving log (a fork, a bad proof) are
logged with the submitted checkpoint, as evidence.

The cosigning key is ``WEH_WITNESS_KEY`` (or the file ``WEH_WITNESS_KEY_FILE``): a note signer key
``PRIVATE+KEY+<name>+<key id>+<base64(0x04 ‖ seed)>`` from :func:`new_witness_key`. As for the
log key, debug and testing generate the file; production refuses to cosign without a key.

**Log side.** With ``WEH_LOG_WITNESSES`` (``<witness verifier key> <submission prefix>`` entries),
every checkpoint the log signs is sent to each witness once it commits (task
:data:`collect_cosignatures_task`), with the consistency proof from the size that witness last
cosigned (:class:`~weh.ledger.models.LogWitness`; 0 at first). The answer's cosignature lines are
verified with the witness's key and stored on the checkpoint (``Checkpoint.cosignatures``), which
``/log/checkpoint`` serves after the log's own signature. On 409 the request is repeated once
from the size the witness reports. A witness that cannot be reached, or answers anything else,
is logged and skipped: witnesses never stop the log.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task

from weh.core.keyfiles import create_secret_file
from weh.ledger import merkle, selectors
from weh.ledger.models import Checkpoint, LogWitness, WitnessState
from weh.ledger.note import (
    ALG_COSIGNATURE_V1,
    ALG_ED25519,
    EM_DASH,
    NoteError,
    Signature,
    Signer,
    Verifier,
    cosign_checkpoint,
    open_note,
    parse_note,
)
from weh.ledger.note import Checkpoint as CheckpointBody

logger = logging.getLogger("weh.ledger")

__all__ = [
    "MAX_PROOF_LINES",
    "SIZE_CONTENT_TYPE",
    "AddCheckpoint",
    "Witness",
    "WitnessClientError",
    "WitnessError",
    "add_checkpoint",
    "collect_cosignatures",
    "collect_cosignatures_task",
    "format_add_checkpoint",
    "log_witnesses",
    "new_witness_key",
    "parse_add_checkpoint",
    "parse_log_witnesses",
    "parse_witnessed_logs",
    "schedule_cosignatures",
    "witness_signer",
    "witnessed_logs",
]

SIZE_CONTENT_TYPE = "text/x.tlog.size"
"""Content type of a 409 answer, whose body is the witness's stored size (tlog-witness)."""

TEXT = "text/plain; charset=utf-8"

MAX_PROOF_LINES = 63
"""Most consistency proof lines a request may carry (tlog-witness)."""

MAX_REQUEST_BYTES = 64 * 1024
"""Largest add-checkpoint body accepted: 63 proof lines and a note of 100 signatures fit easily."""

MAX_RESPONSE_BYTES = 64 * 1024
"""Largest witness answer read by the log."""

MAX_SIZE = (1 << 63) - 1
"""Largest tree size stored (a signed 64-bit column); larger checkpoints are refused."""

MAX_WITNESSES = 50
"""Most witnesses a log asks: with its own signature, a note stays under 100 signatures."""

MAX_ORIGIN_LENGTH = 500
"""Longest origin witnessed (the length of ``WitnessState.origin``)."""

ADD_CHECKPOINT = "add-checkpoint"

_SIZE_RE = re.compile(r"0|[1-9][0-9]*")
_SIG_PREFIX = EM_DASH + " "
_USER_AGENT = "weh-log/1"


# --- configuration ---------------------------------------------------------------------------


def parse_witnessed_logs(entries: Iterable[str]) -> dict[str, tuple[Verifier, ...]]:
    """The logs this hub witnesses, from ``WEH_WITNESS_LOGS`` entries: origin → log keys.

    Each entry is ``<log verifier key>`` or ``<log verifier key> <origin>``; the origin defaults
    to the key's name (C2SP logs name their key after their origin). Several keys may serve one
    origin (a key rotation). Raises ImproperlyConfigured, naming the bad entry.
    """
    logs: dict[str, list[Verifier]] = {}
    for entry in entries:
        vkey, _space, origin = entry.strip().partition(" ")
        try:
            verifier = Verifier.from_vkey(vkey)
        except NoteError as error:
            raise ImproperlyConfigured(
                f"WEH_WITNESS_LOGS: {vkey!r} is not a verifier key ({error}). Each entry is a "
                "log's verifier key <name>+<key id>+<base64>, optionally followed by a space and "
                "the log's origin."
            ) from None
        if verifier.alg != ALG_ED25519:
            raise ImproperlyConfigured(
                f"WEH_WITNESS_LOGS: {vkey!r} is not a log key (type 0x{verifier.alg:02x}); a log "
                "signs its checkpoints with a plain Ed25519 note key (type 0x01)."
            )
        origin = origin.strip() or verifier.name
        if len(origin) > MAX_ORIGIN_LENGTH or any(ord(ch) < 0x20 for ch in origin):
            raise ImproperlyConfigured(
                f"WEH_WITNESS_LOGS: the origin {origin!r} is longer than {MAX_ORIGIN_LENGTH} "
                "characters or holds a control character."
            )
        if verifier not in logs.setdefault(origin, []):
            logs[origin].append(verifier)
    return {origin: tuple(verifiers) for origin, verifiers in logs.items()}


@dataclass(frozen=True)
class Witness:
    """A witness the log asks for cosignatures: its cosigner key and its add-checkpoint URL."""

    verifier: Verifier
    url: str

    @property
    def name(self) -> str:
        """The witness's key name, as in its cosignature lines."""
        return self.verifier.name


def parse_log_witnesses(entries: Iterable[str]) -> tuple[Witness, ...]:
    """The witnesses this log asks, from ``WEH_LOG_WITNESSES`` entries.

    Each entry is ``<witness verifier key> <URL>``: a cosigner key (type 0x04) and the witness's
    submission prefix (``https://witness.example.org/log/witness``), to which
    ``/add-checkpoint`` is added unless it already ends so. Raises ImproperlyConfigured.
    """
    witnesses: list[Witness] = []
    for entry in entries:
        parts = entry.split()
        if len(parts) != 2:
            raise ImproperlyConfigured(
                f"WEH_LOG_WITNESSES: {entry!r} is not '<witness verifier key> <URL>'."
            )
        vkey, url = parts
        try:
            verifier = Verifier.from_vkey(vkey)
        except NoteError as error:
            raise ImproperlyConfigured(
                f"WEH_LOG_WITNESSES: {vkey!r} is not a verifier key ({error})."
            ) from None
        if verifier.alg != ALG_COSIGNATURE_V1:
            raise ImproperlyConfigured(
                f"WEH_LOG_WITNESSES: {vkey!r} is not a witness key: witnesses cosign with keys "
                f"of type 0x04 (cosignature/v1), not 0x{verifier.alg:02x}."
            )
        parsed = urlsplit(url)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise ImproperlyConfigured(
                f"WEH_LOG_WITNESSES: {url!r} is not an http(s) URL of a witness's submission "
                "prefix (https://witness.example.org/prefix)."
            )
        url = url.rstrip("/")
        if not url.endswith("/" + ADD_CHECKPOINT):
            url = f"{url}/{ADD_CHECKPOINT}"
        if any(w.verifier == verifier for w in witnesses):
            raise ImproperlyConfigured(f"WEH_LOG_WITNESSES: the witness {vkey} is listed twice.")
        witnesses.append(Witness(verifier, url))
    if len(witnesses) > MAX_WITNESSES:
        raise ImproperlyConfigured(f"WEH_LOG_WITNESSES: at most {MAX_WITNESSES} witnesses.")
    return tuple(witnesses)


@functools.cache
def witnessed_logs() -> dict[str, tuple[Verifier, ...]]:
    """The logs this hub witnesses (``WEH_WITNESS_LOGS``), read once per process."""
    return parse_witnessed_logs(settings.WEH_WITNESS_LOGS)


@functools.cache
def log_witnesses() -> tuple[Witness, ...]:
    """The witnesses this log asks (``WEH_LOG_WITNESSES``), read once per process."""
    return parse_log_witnesses(settings.WEH_LOG_WITNESSES)


# --- the witness key -------------------------------------------------------------------------


def new_witness_key(name: str) -> str:
    """A fresh witness signer key string named ``name`` (secret: it holds the private key).

    Name it after the witness, as a schema-less URL (``witness.example.org``). Its public
    verifier key is ``Signer.from_skey(key).vkey``.
    """
    return Signer.generate(name, ALG_COSIGNATURE_V1).skey


GENERATE_COMMAND = (
    'weh shell --no-imports -c "from weh.ledger.witness import new_witness_key; '
    "print(new_witness_key('witness.example.org'))\""
)
"""Prints a new witness key (name it after the witness)."""


def _signer_from_text(text: str, *, source: str) -> Signer:
    hint = f"Generate one with: {GENERATE_COMMAND}"
    try:
        signer = Signer.from_skey(text.strip())
    except NoteError as error:
        raise ImproperlyConfigured(
            f"{source} is not a valid note signer key ({error}). {hint}."
        ) from None
    if signer.alg != ALG_COSIGNATURE_V1:
        raise ImproperlyConfigured(
            f"{source} is a plain note key (type 0x{signer.alg:02x}); a witness cosigns with a "
            f"key of type 0x04 (cosignature/v1), and must not share the log's key. {hint}."
        )
    return signer


def load_witness_signer(
    *, key_text: str, key_file: Path, default_name: str, allow_generate: bool
) -> Signer:
    """The witness signer from ``key_text`` if set, else from ``key_file``.

    With ``allow_generate`` (debug or testing) a missing file is created with a key named
    ``default_name``; otherwise a missing key raises ImproperlyConfigured.
    """
    if key_text.strip():
        return _signer_from_text(key_text, source="WEH_WITNESS_KEY")
    if not key_file.is_file():
        if not allow_generate:
            raise ImproperlyConfigured(
                "No witness cosigning key: WEH_WITNESS_LOGS lists logs to witness, but "
                f"WEH_WITNESS_KEY is empty and WEH_WITNESS_KEY_FILE ({key_file}) does not exist. "
                f"Generate a key with: {GENERATE_COMMAND} and keep it for the life of the "
                "witness: logs and verifiers trust its public key."
            )
        _generate_key_file(key_file, default_name)
    try:
        text = key_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(
            f"Cannot read the witness key file {key_file}: {error}"
        ) from None
    return _signer_from_text(text, source=f"The witness key file {key_file}")


def _generate_key_file(key_file: Path, name: str) -> None:
    if create_secret_file(key_file, new_witness_key(name) + "\n"):
        logger.warning("Generated a development witness key in %s", key_file)


@functools.cache
def witness_signer() -> Signer:
    """This hub's witness cosigning key, loaded once per process (see the module docstring)."""
    host = settings.WEH_LOG_ORIGIN.split("/", 1)[0] or "weh.localhost"
    return load_witness_signer(
        key_text=settings.WEH_WITNESS_KEY,
        key_file=Path(settings.WEH_WITNESS_KEY_FILE),
        default_name=f"{host}/witness",
        allow_generate=settings.DEBUG or settings.TESTING,
    )


def reset() -> None:
    """Forget the cached configuration and key, so the next use reads the settings (tests)."""
    witnessed_logs.cache_clear()
    log_witnesses.cache_clear()
    witness_signer.cache_clear()


_SETTINGS = {
    "WEH_WITNESS_LOGS",
    "WEH_WITNESS_KEY",
    "WEH_WITNESS_KEY_FILE",
    "WEH_LOG_WITNESSES",
    "WEH_LOG_ORIGIN",
    "DEBUG",
    "TESTING",
}


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in _SETTINGS:
        reset()


# --- the add-checkpoint request --------------------------------------------------------------


class WitnessError(Exception):
    """A refused add-checkpoint request: the HTTP status and the body to answer with."""

    def __init__(self, status: int, body: str, *, content_type: str = TEXT) -> None:
        super().__init__(body)
        self.status = status
        self.body = body
        self.content_type = content_type


def _bad(message: str) -> WitnessError:
    return WitnessError(400, f"Malformed add-checkpoint request: {message}.\n")


@dataclass(frozen=True)
class AddCheckpoint:
    """An add-checkpoint request: old size, consistency proof and the signed checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], note: str) -> bytes:
    """The request body: ``old <size>``, one base64 line per proof hash, a blank line, the note."""
    lines = [f"old {old_size}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]
    return ("".join(lines) + note).encode("utf-8")


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Parse an add-checkpoint body; raises WitnessError (400) saying what is wrong."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("the body is not UTF-8") from None
    first, newline, rest = text.partition("\n")
    if not newline:
        raise _bad("no 'old <size>' line")
    word, space, size_text = first.partition(" ")
    if word != "old" or not space or not _SIZE_RE.fullmatch(size_text):
        raise _bad("the first line must be 'old <size>', the size in decimal without leading zeros")
    old_size = int(size_text)
    if old_size > MAX_SIZE:
        raise _bad(f"old size {old_size} is larger than this witness stores (2^63 - 1)")
    proof: list[bytes] = []
    while True:
        line, newline, rest = rest.partition("\n")
        if not newline:
            raise _bad("no empty line between the consistency proof and the checkpoint")
        if not line:
            break
        if len(proof) == MAX_PROOF_LINES:
            raise _bad(f"more than {MAX_PROOF_LINES} consistency proof lines")
        try:
            value = base64.b64decode(line.encode("ascii"), validate=True)
        except (binascii.Error, UnicodeEncodeError, ValueError):
            value = b""
        if len(value) != merkle.HASH_SIZE or base64.b64encode(value).decode() != line:
            raise _bad(f"proof line {len(proof) + 1} is not the base64 of a 32-byte hash")
        proof.append(value)
    if not rest:
        raise _bad("no checkpoint after the empty line")
    return AddCheckpoint(old_size, tuple(proof), rest)


# --- witness side ----------------------------------------------------------------------------


def add_checkpoint(body: bytes) -> str:
    """Check an add-checkpoint request, record the checkpoint, and return the cosignature line.

    Raises WitnessError with the status and body of the answer when the request is refused.
    """
    request = parse_add_checkpoint(body)
    try:
        text, _signatures = parse_note(request.note)
        checkpoint = CheckpointBody.parse(text)
    except NoteError as error:
        raise _bad(f"the checkpoint is not a signed tlog checkpoint ({error})") from None
    origin = checkpoint.origin
    verifiers = witnessed_logs().get(origin)
    if not verifiers:
        raise WitnessError(404, f"This witness does not witness the log {origin!r}.\n")
    try:
        open_note(request.note, verifiers)
    except NoteError as error:
        raise WitnessError(
            403,
            f"The checkpoint is not signed by a key this witness trusts for {origin!r} "
            f"({error}).\n",
        ) from None
    if request.old_size > checkpoint.size:
        raise _bad(f"old size {request.old_size} is larger than the checkpoint's {checkpoint.size}")
    if checkpoint.size > MAX_SIZE:
        raise _bad(f"checkpoint size {checkpoint.size} is larger than this witness stores")
    signer = witness_signer()  # a configuration error surfaces before any lock is taken
    with transaction.atomic():
        state = _lock_state(origin)
        if request.old_size != state.size:
            raise _conflict(state.size)
        stored_root = bytes(state.root_hash) or merkle.EMPTY_ROOT
        _check_consistency(request, checkpoint, stored_root, state.size)
        state.size = checkpoint.size
        state.root_hash = checkpoint.root_hash
        state.note = request.note
        state.updated_at = timezone.now()
        state.save(update_fields=["size", "root_hash", "note", "updated_at"])
    # Committed: the answer may go out. The witness signs exactly the text the log signed.
    return cosign_checkpoint(text, signer, int(time.time())).line


def _lock_state(origin: str) -> WitnessState:
    """The origin's state row, locked until the transaction ends (created on first contact).

    INSERT … ON CONFLICT DO NOTHING lets two first requests race safely: the loser waits for the
    winner's row, then locks it, and sees the size the winner stored.
    """
    WitnessState.objects.bulk_create([WitnessState(origin=origin)], ignore_conflicts=True)
    return WitnessState.objects.select_for_update().get(origin=origin)


def _conflict(stored_size: int) -> WitnessError:
    return WitnessError(409, f"{stored_size}\n", content_type=SIZE_CONTENT_TYPE)


def _check_consistency(
    request: AddCheckpoint, checkpoint: CheckpointBody, stored_root: bytes, stored_size: int
) -> None:
    """Refuse (409 or 422) a checkpoint that does not extend the stored one of ``stored_size``."""
    old, new = stored_size, checkpoint.size
    if old == new:
        if request.proof:
            raise _unprovable(f"sizes are equal ({old}), so the proof must be empty")
        if checkpoint.root_hash != stored_root:
            _evidence(request, checkpoint, f"a checkpoint of size {old} with another root: a fork")
            raise _conflict(old)
        return
    if old == 0:
        if request.proof:
            raise _unprovable("the old size is 0, so the proof must be empty")
        return  # first contact: every tree extends the empty one
    try:
        merkle.verify_consistency(old, new, request.proof, stored_root, checkpoint.root_hash)
    except merkle.ProofError as error:
        _evidence(request, checkpoint, f"no valid consistency proof from {old} to {new}: {error}")
        raise WitnessError(
            422, f"The consistency proof from {old} to {new} does not verify: {error}.\n"
        ) from None


def _unprovable(message: str) -> WitnessError:
    return WitnessError(422, f"The consistency proof is not valid: {message}.\n")


def _evidence(request: AddCheckpoint, checkpoint: CheckpointBody, reason: str) -> None:
    # A log signed a checkpoint this witness cannot reconcile with the one it stored: possibly
    # proof of misbehaviour, so the signed checkpoint is kept in the log (tlog-witness allows it).
    logger.warning(
        "Witness: refused a signed checkpoint of %s (%s). Request: old %s, %s proof lines. "
        "Checkpoint:\n%s",
        checkpoint.origin,
        reason,
        request.old_size,
        len(request.proof),
        request.note,
    )


# --- log side --------------------------------------------------------------------------------


class WitnessClientError(Exception):
    """A witness could not be reached or gave an unusable answer (logged, never fatal)."""


def schedule_cosignatures(size: int) -> None:
    """Once the transaction that signed checkpoint ``size`` commits, have it cosigned (a task).

    Does nothing without ``WEH_LOG_WITNESSES``. A queue that cannot be reached is logged.
    """
    if not settings.WEH_LOG_WITNESSES:
        return
    transaction.on_commit(functools.partial(_enqueue_cosignatures, size), robust=True)


def _enqueue_cosignatures(size: int) -> None:
    collect_cosignatures_task.enqueue(size)


@task()
def collect_cosignatures_task(size: int) -> dict[str, str]:
    """Ask every configured witness to cosign checkpoint ``size`` (see collect_cosignatures)."""
    return collect_cosignatures(size)


def collect_cosignatures(size: int | None = None) -> dict[str, str]:
    """Ask each witness of ``WEH_LOG_WITNESSES`` to cosign checkpoint ``size`` (default: latest).

    Verified cosignatures are stored on the checkpoint. Returns, per witness name, what happened:
    ``cosigned``, ``ahead`` (it already cosigned a larger tree) or ``failed: <reason>``. Failures
    are logged and never raised.
    """
    witnesses = log_witnesses()
    if not witnesses:
        return {}
    if size is None:
        checkpoint = selectors.latest_checkpoint()
    else:
        checkpoint = Checkpoint.objects.filter(size=size).first()
    if checkpoint is None:
        return {}
    outcome: dict[str, str] = {}
    for witness in witnesses:
        try:
            outcome[witness.name] = _cosign_with(witness, checkpoint)
        except WitnessClientError as error:
            logger.warning(
                "Transparency log: no cosignature of checkpoint %s from witness %s: %s",
                checkpoint.size,
                witness.name,
                error,
            )
            outcome[witness.name] = f"failed: {error}"
        except Exception as error:  # one witness must not stop the others
            logger.exception(
                "Transparency log: asking witness %s to cosign checkpoint %s failed",
                witness.name,
                checkpoint.size,
            )
            outcome[witness.name] = f"failed: {error}"
    return outcome


def _cosign_with(witness: Witness, checkpoint: Checkpoint) -> str:
    LogWitness.objects.bulk_create([LogWitness(vkey=witness.verifier.vkey)], ignore_conflicts=True)
    old = LogWitness.objects.get(vkey=witness.verifier.vkey).size
    for attempt in (1, 2):
        if old > checkpoint.size:
            _check_not_ahead_of_log(witness, old)
            return "ahead"
        proof = merkle.consistency_proof(old, checkpoint.size, selectors.read_hashes) if old else []
        status, body, content_type = _post(
            witness.url, format_add_checkpoint(old, proof, checkpoint.note)
        )
        if status == 200:
            signatures = _verified_cosignatures(witness, checkpoint.note, body)
            _store(witness, checkpoint.size, signatures)
            logger.info(
                "Transparency log: witness %s cosigned checkpoint %s", witness.name, checkpoint.size
            )
            return "cosigned"
        if status == 409 and attempt == 1:
            reported = _reported_size(body, content_type)
            if reported == old:
                # Same size, yet a conflict: the witness holds another root for that size.
                logger.error(
                    "Transparency log: witness %s holds a checkpoint of size %s with another "
                    "root than this log's: the log was forked, or another log shares its origin",
                    witness.name,
                    old,
                )
                raise WitnessClientError(f"the witness holds another tree of size {old}")
            LogWitness.objects.filter(vkey=witness.verifier.vkey).update(
                size=reported, updated_at=timezone.now()
            )
            old = reported
            continue
        raise WitnessClientError(f"{witness.url} answered {status}: {_excerpt(body)}")
    raise AssertionError("unreachable")  # pragma: no cover


def _check_not_ahead_of_log(witness: Witness, size: int) -> None:
    latest = selectors.latest_checkpoint()
    if latest is None or size > latest.size:
        logger.error(
            "Transparency log: witness %s has cosigned a checkpoint of size %s for this log, "
            "larger than any it published: the log key signed elsewhere, or the database was "
            "restored from an older backup",
            witness.name,
            size,
        )


def _post(url: str, body: bytes) -> tuple[int, bytes, str]:
    """POST ``body``; return status, body and content type of any HTTP answer."""
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in the configuration
        url,
        data=body,
        method="POST",
        headers={"Content-Type": TEXT, "User-Agent": _USER_AGENT},
    )
    timeout = settings.WEH_LOG_WITNESS_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read(MAX_RESPONSE_BYTES + 1), _type(response)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(MAX_RESPONSE_BYTES + 1), _type(error)
    except urllib.error.URLError as error:
        raise WitnessClientError(f"cannot reach {url} ({error.reason})") from None
    except TimeoutError:
        raise WitnessClientError(f"{url} did not answer within {timeout} seconds") from None
    except OSError as error:
        raise WitnessClientError(f"{url}: {error}") from None


def _type(response: Any) -> str:
    headers = getattr(response, "headers", None)
    return headers.get_content_type() if headers is not None else ""


def _excerpt(body: bytes) -> str:
    return body[:200].decode("utf-8", "replace").strip() or "(empty)"


def _reported_size(body: bytes, content_type: str) -> int:
    text = body.decode("ascii", "replace")
    if content_type != SIZE_CONTENT_TYPE or not text.endswith("\n"):
        raise WitnessClientError(f"a 409 answer that is not a {SIZE_CONTENT_TYPE} size")
    size = text[:-1]
    if not _SIZE_RE.fullmatch(size) or int(size) > MAX_SIZE:
        raise WitnessClientError(f"a 409 answer with no valid size: {_excerpt(body)}")
    return int(size)


def _verified_cosignatures(witness: Witness, note: str, body: bytes) -> list[Signature]:
    """The witness's signature lines in ``body``, verified over ``note``'s text with its key.

    Lines by other keys are ignored (tlog-witness); none by the witness's key, or one that does
    not verify, rejects the answer.
    """
    if len(body) > MAX_RESPONSE_BYTES:
        raise WitnessClientError("the answer is too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessClientError("the answer is not UTF-8") from None
    if not text.endswith("\n") or not all(
        line.startswith(_SIG_PREFIX) for line in text[:-1].split("\n")
    ):
        raise WitnessClientError(f"the answer is not signature lines: {_excerpt(body)}")
    try:
        opened = open_note(note + text, [witness.verifier])
    except NoteError as error:
        raise WitnessClientError(f"the cosignature does not verify ({error})") from None
    return list(opened.signatures)


def _store(witness: Witness, size: int, signatures: Sequence[Signature]) -> None:
    """Put the witness's cosignatures on checkpoint ``size`` (replacing its earlier ones)."""
    with transaction.atomic():
        checkpoint = Checkpoint.objects.select_for_update().get(size=size)
        kept = [
            line
            for line in checkpoint.cosignatures.splitlines(keepends=True)
            if not _by(line, witness.verifier)
        ]
        checkpoint.cosignatures = "".join([*kept, *(s.line for s in signatures)])
        checkpoint.save(update_fields=["cosignatures"])
        LogWitness.objects.filter(vkey=witness.verifier.vkey, size__lt=size).update(
            size=size, updated_at=timezone.now()
        )


def _by(line: str, verifier: Verifier) -> bool:
    try:
        signature = Signature.parse_line(line)
    except NoteError:
        return False
    return (signature.name, signature.key_id) == (verifier.name, verifier.key_id)
