"""The transparency log in the REST API: the latest checkpoint, and proofs against checkpoints.

Public reads. Hashes are standard base64 (as in checkpoints and RFC 6962's JSON API); entries
are their exact canonical JSON text, whose UTF-8 bytes are what the tree hashes. A proof is
worth only what its checkpoint is: check the note's signature with a verifier key you got
elsewhere (``weh verify entry FILE --key …`` does all of it).
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from weh.ledger import selectors
from weh.ledger.note import Checkpoint as CheckpointBody
from weh.ledger.note import parse_note

router = Router(tags=["transparency log"])

INCLUSION_FORMAT = "weh-log-inclusion/1"
CONSISTENCY_FORMAT = "weh-log-consistency/1"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class CheckpointOut(Schema):
    origin: str
    size: int = Field(..., description="Entries in the tree.")
    root_hash: str = Field(..., description="Base64 of the tree's 32-byte root hash.")
    note: str = Field(..., description="The signed checkpoint (C2SP signed note).")
    created_at: datetime


class InclusionOut(Schema):
    format: Literal["weh-log-inclusion/1"]
    index: int
    entry: str = Field(..., description="The entry: canonical JSON, hashed as UTF-8 bytes.")
    leaf_hash: str = Field(..., description="Base64 of SHA-256(0x00 ‖ entry).")
    tree_size: int
    inclusion_proof: list[str] = Field(..., description="Base64 hashes, leaf end first.")
    checkpoint: str = Field(..., description="The signed checkpoint the proof leads to.")


class ConsistencyOut(Schema):
    format: Literal["weh-log-consistency/1"]
    from_size: int
    to_size: int
    proof: list[str] = Field(..., description="Base64 hashes (RFC 9162 §2.1.4).")
    from_checkpoint: str
    to_checkpoint: str


@router.get("/checkpoint", response=CheckpointOut, summary="The latest signed checkpoint")
def latest_checkpoint(request: HttpRequest) -> dict[str, object]:
    checkpoint = selectors.latest_checkpoint()
    if checkpoint is None:
        raise selectors.NoCheckpoint("The log has no checkpoint yet.")
    body = CheckpointBody.parse(parse_note(checkpoint.note)[0])
    return {
        "origin": body.origin,
        "size": checkpoint.size,
        "root_hash": _b64(bytes(checkpoint.root_hash)),
        "note": checkpoint.signed_note,
        "created_at": checkpoint.created_at,
    }


@router.get("/entries/{index}", response=InclusionOut, summary="An entry with its inclusion proof")
def entry_proof(
    request: HttpRequest,
    index: int = Path(..., ge=0, description="The entry's index, from 0."),
) -> dict[str, object]:
    """The entry, its leaf hash and its inclusion proof in the latest checkpoint."""
    found = selectors.inclusion(index)
    return {
        "format": INCLUSION_FORMAT,
        "index": index,
        "entry": found.entry.text,
        "leaf_hash": _b64(found.leaf_hash),
        "tree_size": found.checkpoint.size,
        "inclusion_proof": [_b64(h) for h in found.proof],
        "checkpoint": found.checkpoint.signed_note,
    }


@router.get(
    "/consistency", response=ConsistencyOut, summary="Proof that one checkpoint extends another"
)
def consistency_proof(
    request: HttpRequest,
    first: int = Query(..., alias="from", description="Size of the older checkpoint."),
    second: int | None = Query(
        None, alias="to", description="Size of the newer checkpoint (default: the latest)."
    ),
) -> dict[str, object]:
    found = selectors.consistency(first, second)
    return {
        "format": CONSISTENCY_FORMAT,
        "from_size": found.first.size,
        "to_size": found.second.size,
        "proof": [_b64(h) for h in found.proof],
        "from_checkpoint": found.first.signed_note,
        "to_checkpoint": found.second.signed_note,
    }
