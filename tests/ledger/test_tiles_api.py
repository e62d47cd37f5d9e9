"""The log over HTTP: C2SP checkpoint, tiles and entry bundles, the key, and the proof API."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import transaction
from django.test import Client

from weh.ledger import merkle, selectors
from weh.ledger.merkle import Tree
from weh.ledger.models import LogEntry
from weh.ledger.note import Signer
from weh.ledger.services import NewEntry, append_entries, publish_checkpoint
from weh.ledger.tiles import (
    Tile,
    encode_entry_bundle,
    entry_bundles_for_size,
    read_tile,
    tiles_for_size,
)

pytestmark = pytest.mark.django_db

ORIGIN = "weh.test/log"
SIZE = 600  # two full level-0 tiles, a partial one of 88, and a partial level-1 tile of 2


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path: Path) -> Signer:  # type: ignore[no-untyped-def]
    signer = Signer.generate(ORIGIN)
    settings.WEH_LOG_ORIGIN = ORIGIN
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    return signer


def append(count: int, start: int = 0) -> None:
    with transaction.atomic():
        append_entries(
            NewEntry("test.event", f"subject:{start + i}", {"i": start + i, "pad": "x" * (i % 40)})
            for i in range(count)
        )


def entries() -> list[bytes]:
    return [t.encode() for t in LogEntry.objects.order_by("index").values_list("text", flat=True)]


@pytest.fixture
def published() -> Tree:
    """A log of SIZE entries with a checkpoint; returns the same tree built in memory."""
    append(SIZE)
    publish_checkpoint()
    tree = Tree()
    tree.extend(entries())
    return tree


# --- checkpoint and key ----------------------------------------------------------------------


def test_checkpoint_is_the_signed_note_as_text_with_short_cache(
    client: Client, published: Tree, log_key: Signer
) -> None:
    response = client.get("/log/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=5"
    assert response["Access-Control-Allow-Origin"] == "*"
    text = response.content.decode()
    root = base64.b64encode(published.root()).decode()
    assert text.startswith(f"{ORIGIN}\n{SIZE}\n{root}\n\n\u2014 {ORIGIN} ")


def test_checkpoint_before_the_first_is_404(client: Client) -> None:
    response = client.get("/log/checkpoint")
    assert response.status_code == 404
    assert response.content == b"The log has no checkpoint yet.\n"


def test_key_is_the_verifier_key_string(client: Client, log_key: Signer) -> None:
    response = client.get("/log/key")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == log_key.vkey + "\n"


def test_writes_are_not_allowed(client: Client, published: Tree) -> None:
    assert client.post("/log/checkpoint").status_code == 405
    assert client.put("/log/tile/0/000").status_code == 405


# --- tiles -----------------------------------------------------------------------------------


def test_every_tile_and_bundle_is_the_pure_computation(client: Client, published: Tree) -> None:
    tiles = tiles_for_size(SIZE)
    assert [t.path for t in tiles] == [
        "tile/0/000",
        "tile/0/001",
        "tile/0/002.p/88",
        "tile/1/000.p/2",
    ]
    for tile in tiles:
        response = client.get(f"/log/{tile.path}")
        assert response.status_code == 200, tile.path
        assert response["Content-Type"] == "application/octet-stream"
        assert response.content == read_tile(tile, published.read_hashes)
    stored = entries()
    for bundle in entry_bundles_for_size(SIZE):
        response = client.get(f"/log/{bundle.path}")
        assert response.status_code == 200, bundle.path
        start, stop = bundle.leaf_range
        assert response.content == encode_entry_bundle(stored[start:stop])


def test_cache_headers_full_forever_partial_briefly(client: Client, published: Tree) -> None:
    for path in ("tile/0/000", "tile/entries/001"):
        response = client.get(f"/log/{path}")
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    for path in ("tile/0/002.p/88", "tile/1/000.p/2", "tile/entries/002.p/88"):
        response = client.get(f"/log/{path}")
        assert response["Cache-Control"] == "public, max-age=60"


def test_tiles_beyond_the_latest_checkpoint_are_404(client: Client, published: Tree) -> None:
    append(200, start=SIZE)  # 800 entries stored, 600 signed
    for path in (
        "tile/0/002.p/89",  # wider than at the checkpoint
        "tile/0/002",  # full only at 768
        "tile/0/003.p/32",
        "tile/1/000.p/3",
        "tile/2/000.p/1",
        "tile/entries/002.p/89",
        "tile/entries/003.p/1",
    ):
        response = client.get(f"/log/{path}")
        assert response.status_code == 404, path
        assert b"latest checkpoint (600 entries)" in response.content
    # Narrower partial tiles (of older checkpoints) are prefixes of what is signed: served.
    response = client.get("/log/tile/0/002.p/10")
    assert response.status_code == 200
    assert response.content == read_tile(Tile(0, 2, 10), published.read_hashes)


def test_no_tiles_before_the_first_checkpoint(client: Client) -> None:
    append(3)
    assert client.get("/log/tile/0/000.p/3").status_code == 404
    assert client.get("/log/tile/entries/000.p/3").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/0",
        "tile/0/1000",
        "tile/0/x000/001",  # non-canonical: leading zero group
        "tile/0/001.p/0",
        "tile/0/001.p/256",
        "tile/0/001.p/07",
        "tile/00/001",
        "tile/64/000",
        "tile/-1/000",
        "tile/entries/abc",
        "tile/0/",
        "tile/0/000/",
    ],
)
def test_malformed_tile_paths_are_400(client: Client, published: Tree, path: str) -> None:
    response = client.get(f"/log/{path}")
    assert response.status_code == 400
    assert b"Malformed tile path" in response.content


# --- an independent client: hashlib and Ed25519 only, no WEH code ----------------------------


def _mth(hashes: list[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash over leaf hashes, straight from the recursive definition."""
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(hashes[:k]) + _mth(hashes[k:])).digest()


def _index_path(n: int) -> str:
    text = f"{n:03d}"
    groups = [text[max(i - 3, 0) : i] for i in range(len(text), 0, -3)][::-1]
    groups = [g.zfill(3) for g in groups]
    return "/".join([*(f"x{g}" for g in groups[:-1]), groups[-1]])


def _verify_note(note: str, vkey: str) -> tuple[str, int, bytes]:
    """Check the log's Ed25519 signature per signed-note; return (origin, size, root)."""
    name, key_hex, key_b64 = vkey.split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 1
    key_id = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    assert key_id.hex() == key_hex
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    for line in signatures.splitlines():
        prefix, line_name, blob64 = line.split(" ")
        blob = base64.b64decode(blob64)
        if prefix == "\u2014" and line_name == name and blob[:4] == key_id:
            Ed25519PublicKey.from_public_bytes(raw[1:]).verify(blob[4:], text.encode())
            break
    else:
        raise AssertionError("no signature by the log key")
    origin, size, root = text.splitlines()[:3]
    return origin, int(size), base64.b64decode(root)


def test_an_independent_client_verifies_the_log(client: Client, published: Tree) -> None:
    vkey = client.get("/log/key").content.decode().strip()
    origin, size, root = _verify_note(client.get("/log/checkpoint").content.decode(), vkey)
    assert (origin, size) == (ORIGIN, SIZE)

    leaves: list[bytes] = []
    for n in range((size + 255) // 256):
        width = min(256, size - n * 256)
        suffix = "" if width == 256 else f".p/{width}"
        bundle = client.get(f"/log/tile/entries/{_index_path(n)}{suffix}").content
        tile = client.get(f"/log/tile/0/{_index_path(n)}{suffix}").content
        assert len(tile) == 32 * width
        position, count = 0, 0
        while position < len(bundle):
            length = int.from_bytes(bundle[position : position + 2], "big")
            entry = bundle[position + 2 : position + 2 + length]
            position += 2 + length
            leaf = hashlib.sha256(b"\x00" + entry).digest()
            assert leaf == tile[32 * count : 32 * (count + 1)]
            leaves.append(leaf)
            count += 1
        assert count == width
    assert _mth(leaves) == root

    # Level 1 holds the roots of the full level-0 tiles.
    level1 = client.get("/log/tile/1/000.p/2").content
    assert level1 == _mth(leaves[:256]) + _mth(leaves[256:512])


def test_the_independent_client_notices_a_forged_signature(client: Client, published: Tree) -> None:
    vkey = Signer.generate(ORIGIN).vkey  # someone else's key under the same name
    with pytest.raises((AssertionError, InvalidSignature)):
        _verify_note(client.get("/log/checkpoint").content.decode(), vkey)


# --- proof API -------------------------------------------------------------------------------


def test_entry_proof_verifies_against_the_checkpoint(client: Client, published: Tree) -> None:
    response = client.get("/api/v1/log/entries/300")
    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "weh-log-inclusion/1"
    assert body["index"] == 300
    assert body["tree_size"] == SIZE
    assert body["entry"].encode() == entries()[300]
    leaf = base64.b64decode(body["leaf_hash"])
    assert leaf == merkle.leaf_hash(body["entry"].encode())
    proof = [base64.b64decode(h) for h in body["inclusion_proof"]]
    merkle.verify_inclusion(300, SIZE, leaf, proof, published.root())
    assert body["checkpoint"] == client.get("/log/checkpoint").content.decode()


def test_entry_proofs_take_three_queries_then_two_once_the_block_is_kept(
    client: Client, published: Tree, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    selectors.hash_cache().clear()  # as in a process that has served no proof yet
    # The entry, the latest checkpoint, then the proof's hashes and the leaf hash together.
    with django_assert_num_queries(3):
        first = client.get("/api/v1/log/entries/5")
    # A second proof in the same block of 256 entries reads the block whole ...
    with django_assert_num_queries(3):
        second = client.get("/api/v1/log/entries/100")
    # ... so every other entry of it is proved without reading hashes.
    with django_assert_num_queries(2):
        third = client.get("/api/v1/log/entries/200")
    for response, index in ((first, 5), (second, 100), (third, 200)):
        body = response.json()
        proof = [base64.b64decode(h) for h in body["inclusion_proof"]]
        assert proof == published.inclusion_proof(index)


def test_entry_proof_in_a_log_of_one(client: Client) -> None:
    append(1)
    publish_checkpoint()
    body = client.get("/api/v1/log/entries/0").json()
    assert body["inclusion_proof"] == []
    assert base64.b64decode(body["leaf_hash"]) == merkle.leaf_hash(entries()[0])


def test_unknown_entry_is_a_404_problem(client: Client, published: Tree) -> None:
    response = client.get("/api/v1/log/entries/600")
    assert response.status_code == 404
    problem = response.json()
    assert problem["type"] == "urn:weh:problem:log-entry-unknown"
    assert "600 entries, numbered from 0" in problem["detail"]
    assert client.get("/api/v1/log/entries/-1").status_code == 422


def test_entry_not_yet_checkpointed_says_so(client: Client, published: Tree) -> None:
    append(1, start=SIZE)
    response = client.get(f"/api/v1/log/entries/{SIZE}")
    assert response.status_code == 404
    problem = response.json()
    assert problem["type"] == "urn:weh:problem:log-entry-not-yet-checkpointed"
    assert "not yet covered by a signed checkpoint" in problem["detail"]


def test_proofs_before_any_checkpoint(client: Client) -> None:
    append(2)
    problem = client.get("/api/v1/log/entries/0").json()
    assert problem["type"] == "urn:weh:problem:log-no-checkpoint"
    assert client.get("/api/v1/log/checkpoint").status_code == 404


def test_checkpoint_api(client: Client, published: Tree) -> None:
    body = client.get("/api/v1/log/checkpoint").json()
    assert body["origin"] == ORIGIN
    assert body["size"] == SIZE
    assert base64.b64decode(body["root_hash"]) == published.root()
    assert body["note"] == client.get("/log/checkpoint").content.decode()


def test_consistency_proof_between_published_checkpoints(client: Client, published: Tree) -> None:
    append(77, start=SIZE)
    publish_checkpoint()
    tree = Tree()
    tree.extend(entries())

    body = client.get(f"/api/v1/log/consistency?from={SIZE}&to={SIZE + 77}").json()
    assert (body["format"], body["from_size"], body["to_size"]) == (
        "weh-log-consistency/1",
        SIZE,
        SIZE + 77,
    )
    proof = [base64.b64decode(h) for h in body["proof"]]
    merkle.verify_consistency(SIZE, SIZE + 77, proof, tree.root(SIZE), tree.root())
    # 'to' defaults to the latest checkpoint.
    assert client.get(f"/api/v1/log/consistency?from={SIZE}").json() == body
    same = client.get(f"/api/v1/log/consistency?from={SIZE}&to={SIZE}").json()
    assert same["proof"] == []


@pytest.mark.parametrize(
    ("query", "status", "code", "words"),
    [
        ("from=9&to=5", 422, "validation", "larger than 'to'"),
        ("from=0&to=600", 422, "validation", "non-empty tree"),
        ("from=700", 422, "validation", "larger than the latest checkpoint (600)"),
        ("from=5&to=600", 404, "log-checkpoint-unknown", "No checkpoint of size 5"),
        ("from=600&to=601", 404, "log-checkpoint-unknown", "No checkpoint of size 601"),
        ("to=600", 422, "validation", ""),
    ],
)
def test_consistency_problems(
    client: Client, published: Tree, query: str, status: int, code: str, words: str
) -> None:
    response = client.get(f"/api/v1/log/consistency?{query}")
    assert response.status_code == status
    problem = response.json()
    assert problem["type"] == f"urn:weh:problem:{code}"
    assert words in problem["detail"] + str(problem.get("errors", ""))


# --- WEH's client over the test client -------------------------------------------------------


def test_client_falls_back_to_full_tiles_when_partials_are_gone(
    client: Client, published: Tree, log_key: Signer
) -> None:
    from weh.ledger.client import LogClient, NotFoundError

    old_note = client.get("/log/checkpoint").content
    append(200, start=SIZE)
    publish_checkpoint()  # 800 entries: tile 0/002 and bundle 002 are now full
    fetched: list[str] = []

    def fetch(url: str) -> bytes:
        # A log that deleted its partial tiles once the full ones existed (tlog-tiles allows it).
        path = url.removeprefix("http://testserver")
        fetched.append(path)
        full = path.partition(".p/")[0]
        if full != path and client.get(full).status_code == 200:
            raise NotFoundError(f"{url}: not found (404)")
        response = client.get(path)
        if response.status_code == 404:
            raise NotFoundError(f"{url}: not found (404)")
        return response.content

    reader = LogClient("http://testserver/log", log_key.verifier, fetch=fetch)
    old = reader.open(old_note, where="the old checkpoint")
    reader.verify_root(old)
    assert reader.entry(590, old) == entries()[590]
    assert "/log/tile/0/002" in fetched
    assert "/log/tile/entries/002" in fetched
    reader.verify_consistency(old, reader.checkpoint())
