"""Witness cosigning (C2SP tlog-witness / tlog-cosignature), between two WEH instances.

The witness answers are checked twice: in this process (Django's test client, on the test
database, so also on PostgreSQL in CI) and in a **second WEH instance**: ``weh serve`` (gunicorn,
two worker processes) on a free loopback port, with its own SQLite database, its own witness key
and the logs it witnesses in its environment. That instance is started once for the module;
each test takes a log key of its own from the pool the instance trusts, so tests never share
state. The log side runs in this process and asks that second instance for cosignatures.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client

from weh.ledger import merkle, witness
from weh.ledger.merkle import Tree
from weh.ledger.models import Checkpoint, LogWitness, WitnessState
from weh.ledger.note import (
    ALG_COSIGNATURE_V1,
    NoteError,
    Signature,
    Signer,
    Verifier,
    cosign_checkpoint,
    cosignature_timestamp,
    open_checkpoint,
    parse_note,
    sign_checkpoint,
)
from weh.ledger.note import Checkpoint as CheckpointBody
from weh.ledger.services import NewEntry, append_entries, publish_checkpoint

pytestmark = pytest.mark.django_db

PATH = "/log/witness/add-checkpoint"
POOL = 48
"""Log keys the second instance witnesses; each test that talks to it takes fresh ones."""


# --- a log in memory, to craft any checkpoint and proof ----------------------------------------


class FakeLog:
    """A log in memory: its key, its tree, signed checkpoints and proofs of any size."""

    def __init__(self, signer: Signer, *, tag: str = "e") -> None:
        self.signer = signer
        self.origin = signer.name
        self.tree = Tree()
        self.tag = tag

    @property
    def verifier(self) -> Verifier:
        return self.signer.verifier

    def grow(self, size: int) -> FakeLog:
        """Append entries until the tree holds ``size``."""
        self.tree.extend(f"{self.tag}-{i}".encode() for i in range(self.tree.size, size))
        return self

    def root(self, size: int | None = None) -> bytes:
        return self.tree.root(self.tree.size if size is None else size)

    def note(self, size: int | None = None, *, signer: Signer | None = None) -> str:
        size = self.tree.size if size is None else size
        body = CheckpointBody(self.origin, size, self.tree.root(size))
        return sign_checkpoint(body, [signer or self.signer])

    def proof(self, old: int, new: int | None = None) -> list[bytes]:
        return self.tree.consistency_proof(old, new) if old else []

    def fork(self) -> FakeLog:
        """Another tree under the same origin and key: what a misbehaving log would show."""
        return FakeLog(self.signer, tag=self.tag + "-fork")


def body(old: int, proof: list[bytes], note: str) -> bytes:
    return witness.format_add_checkpoint(old, proof, note)


@dataclass(frozen=True)
class Answer:
    status: int
    text: str
    content_type: str

    def cosignature(self, witness_key: Verifier) -> Signature:
        lines = self.text.splitlines()
        assert lines, "no cosignature line"
        signature = Signature.parse_line(lines[0])
        assert (signature.name, signature.key_id) == (witness_key.name, witness_key.key_id)
        return signature


# --- the two witnesses under test ------------------------------------------------------------


class SameProcess:
    """The witness endpoint of this process, through Django's test client."""

    kind = "same process"

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.signer = Signer.generate("witness.test/here", ALG_COSIGNATURE_V1)
        settings.WEH_WITNESS_KEY = self.signer.skey
        settings.WEH_WITNESS_LOGS = []
        self.client = Client()
        self.count = itertools.count()

    @property
    def verifier(self) -> Verifier:
        return self.signer.verifier

    def new_log(self) -> FakeLog:
        fake = FakeLog(Signer.generate(f"here.test/log{next(self.count)}"))
        self.settings.WEH_WITNESS_LOGS = [*self.settings.WEH_WITNESS_LOGS, fake.signer.vkey]
        return fake

    def post(self, data: bytes) -> Answer:
        response = Client().post(PATH, data=data, content_type="text/plain")
        media = response["Content-Type"].split(";")[0]
        return Answer(response.status_code, response.content.decode(), media)

    def stored(self, origin: str) -> tuple[int, bytes] | None:
        row = WitnessState.objects.filter(origin=origin).values_list("size", "root_hash").first()
        return None if row is None else (row[0], bytes(row[1]))


@dataclass
class SecondInstance:
    """Another WEH (``weh serve``) on loopback with its own database, witnessing a key pool."""

    url: str
    signer: Signer
    database: Path
    pool: Iterator[Signer]
    kind: str = "second instance"

    @property
    def verifier(self) -> Verifier:
        return self.signer.verifier

    @property
    def prefix(self) -> str:
        return f"{self.url}/log/witness"

    def new_signer(self) -> Signer:
        return next(self.pool)

    def new_log(self) -> FakeLog:
        return FakeLog(self.new_signer())

    def post(self, data: bytes) -> Answer:
        return http_post(self.url + PATH, data)

    def stored(self, origin: str) -> tuple[int, bytes] | None:
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            row = db.execute(
                "SELECT size, root_hash FROM ledger_witnessstate WHERE origin = ?", (origin,)
            ).fetchone()
        return None if row is None else (row[0], bytes(row[1]))


def http_post(url: str, data: bytes) -> Answer:
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return Answer(
                response.status, response.read().decode(), response.headers.get_content_type()
            )
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.read().decode(), error.headers.get_content_type())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def second_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecondInstance]:
    home = tmp_path_factory.mktemp("witness-instance")
    database = home / "witness.sqlite3"
    cosigner = Signer.generate("witness.test/second", ALG_COSIGNATURE_V1)
    signers = [Signer.generate(f"remote.test/log{i}") for i in range(POOL)]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEH_")}
    env.update(
        DJANGO_SETTINGS_MODULE="weh.settings",
        WEH_TESTING="1",
        WEH_VAR_DIR=str(home),
        WEH_DATABASE_URL=f"sqlite:///{database}",
        WEH_WITNESS_KEY=cosigner.skey,
        WEH_WITNESS_LOGS=",".join(s.vkey for s in signers),
        WEH_LOG_LEVEL="INFO",
    )
    weh = [sys.executable, "-m", "weh.cli"]
    base = Path(django_settings.BASE_DIR)
    # The witness needs only the log's tables.
    subprocess.run([*weh, "migrate", "ledger", "-v0"], env=env, cwd=base, check=True, timeout=120)
    with (home / "server.log").open("wb") as output:
        server = subprocess.Popen(
            [*weh, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env=env,
            cwd=base,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(
                    "the witness instance stopped: " + (home / "server.log").read_text()
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield SecondInstance(f"http://127.0.0.1:{port}", cosigner, database, iter(signers))
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(params=["same-process", "second-instance"])
def target(request: pytest.FixtureRequest, settings: Any) -> SameProcess | SecondInstance:
    if request.param == "same-process":
        return SameProcess(settings)
    instance: SecondInstance = request.getfixturevalue("second_instance")
    return instance


# --- request format and configuration --------------------------------------------------------


def test_request_body_round_trips() -> None:
    fake = FakeLog(Signer.generate("a.test/log")).grow(9)
    note = fake.note()
    data = body(4, fake.proof(4), note)
    lines = data.decode().split("\n")
    assert lines[0] == "old 4"
    assert lines[1] == base64.b64encode(fake.proof(4)[0]).decode()
    parsed = witness.parse_add_checkpoint(data)
    assert parsed == witness.AddCheckpoint(4, tuple(fake.proof(4)), note)
    assert witness.parse_add_checkpoint(body(0, [], note)).proof == ()


HASH64 = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no 'old <size>' line"),
        (b"old 1", "no 'old <size>' line"),
        (b"old 01\n\nx\n", "without leading zeros"),
        (b"old -1\n\nx\n", "'old <size>'"),
        (b"olds 1\n\nx\n", "'old <size>'"),
        (b"old  1\n\nx\n", "'old <size>'"),
        (b"old 1\n", "no empty line"),
        (f"old 1\n{HASH64}\n".encode(), "no empty line"),
        (b"old 1\n\n", "no checkpoint"),
        (b"old 1\nnot base64!\n\nx\n", "proof line 1"),
        (b"old 1\n" + base64.b64encode(bytes(31)) + b"\n\nx\n", "32-byte hash"),
        (f"old 1\n{HASH64[:-1]}\n\nx\n".encode(), "32-byte hash"),
        (("old 1\n" + f"{HASH64}\n" * 64 + "\nx\n").encode(), "more than 63"),
        (b"old 1\n\n\xff\n", "not UTF-8"),
        (f"old {1 << 63}\n\nx\n".encode(), "larger than this witness stores"),
    ],
)
def test_malformed_request_bodies_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(witness.WitnessError) as refused:
        witness.parse_add_checkpoint(data)
    assert refused.value.status == 400
    assert message in refused.value.body


def test_63_proof_lines_are_accepted() -> None:
    data = ("old 1\n" + f"{HASH64}\n" * 63 + "\nx\n").encode()
    assert len(witness.parse_add_checkpoint(data).proof) == 63


def test_witnessed_logs_setting() -> None:
    one, two = Signer.generate("a.test/log"), Signer.generate("a.test/log")
    other = Signer.generate("sum.example.org")
    logs = witness.parse_witnessed_logs(
        [one.vkey, f" {two.vkey} ", f"{other.vkey} go.sum database tree", one.vkey]
    )
    assert logs == {
        "a.test/log": (one.verifier, two.verifier),
        "go.sum database tree": (other.verifier,),
    }
    cosigner = Signer.generate("w.test", ALG_COSIGNATURE_V1)
    with pytest.raises(ImproperlyConfigured, match="not a log key"):
        witness.parse_witnessed_logs([cosigner.vkey])
    with pytest.raises(ImproperlyConfigured, match="not a verifier key"):
        witness.parse_witnessed_logs(["a.test+12345678+AAAA"])
    with pytest.raises(ImproperlyConfigured, match="longer than"):
        witness.parse_witnessed_logs([f"{one.vkey} {'o' * 501}"])


def test_log_witnesses_setting() -> None:
    w1 = Signer.generate("w1.test", ALG_COSIGNATURE_V1)
    w2 = Signer.generate("w2.test", ALG_COSIGNATURE_V1)
    witnesses = witness.parse_log_witnesses(
        [f"{w1.vkey} https://w1.test/log/witness/", f"{w2.vkey} http://w2.test/add-checkpoint"]
    )
    assert [(w.name, w.url) for w in witnesses] == [
        ("w1.test", "https://w1.test/log/witness/add-checkpoint"),
        ("w2.test", "http://w2.test/add-checkpoint"),
    ]
    assert witnesses[0].verifier == w1.verifier
    with pytest.raises(ImproperlyConfigured, match="not a witness key"):
        witness.parse_log_witnesses([f"{Signer.generate('l.test').vkey} https://w.test"])
    with pytest.raises(ImproperlyConfigured, match="http"):
        witness.parse_log_witnesses([f"{w1.vkey} ftp://w.test"])
    with pytest.raises(ImproperlyConfigured, match="'<witness verifier key> <URL>'"):
        witness.parse_log_witnesses([w1.vkey])
    with pytest.raises(ImproperlyConfigured, match="twice"):
        witness.parse_log_witnesses([f"{w1.vkey} https://a.test", f"{w1.vkey} https://b.test"])


def test_witness_key_from_setting_file_or_generated(tmp_path: Path) -> None:
    key = witness.new_witness_key("witness.example.org")
    signer = Signer.from_skey(key)
    assert signer.alg == ALG_COSIGNATURE_V1
    loaded = witness.load_witness_signer(
        key_text=key, key_file=tmp_path / "none", default_name="x", allow_generate=False
    )
    assert loaded.vkey == signer.vkey
    key_file = tmp_path / "keys" / "witness_key"
    generated = witness.load_witness_signer(
        key_text="", key_file=key_file, default_name="dev.test/witness", allow_generate=True
    )
    assert generated.name == "dev.test/witness"
    assert generated.alg == ALG_COSIGNATURE_V1
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = witness.load_witness_signer(
        key_text="", key_file=key_file, default_name="other", allow_generate=False
    )
    assert again.vkey == generated.vkey
    with pytest.raises(ImproperlyConfigured, match="No witness cosigning key"):
        witness.load_witness_signer(
            key_text="", key_file=tmp_path / "missing", default_name="x", allow_generate=False
        )
    with pytest.raises(ImproperlyConfigured, match="plain note key"):
        witness.load_witness_signer(
            key_text=Signer.generate("l.test").skey,
            key_file=tmp_path / "none",
            default_name="x",
            allow_generate=False,
        )


def test_development_witness_key_is_generated_under_the_origin_host(
    settings: Any, tmp_path: Path
) -> None:
    settings.WEH_WITNESS_KEY = ""
    settings.WEH_WITNESS_KEY_FILE = tmp_path / "witness_key"
    settings.WEH_LOG_ORIGIN = "hub.example.org/log"
    assert witness.witness_signer().name == "hub.example.org/witness"
    assert (tmp_path / "witness_key").is_file()


# --- the witness: every answer of tlog-witness, in both instances ------------------------------


def test_first_contact_is_cosigned(target: SameProcess | SecondInstance) -> None:
    fake = target.new_log().grow(3)
    assert target.stored(fake.origin) is None
    before = int(time.time())
    answer = target.post(body(0, [], fake.note()))
    assert (answer.status, answer.content_type) == (200, "text/plain")
    cosignature = answer.cosignature(target.verifier)
    assert answer.text == cosignature.line
    assert before <= cosignature_timestamp(cosignature) <= int(time.time())
    checkpoint, note = open_checkpoint(
        fake.note() + answer.text, origin=fake.origin, log=fake.verifier,
        cosigners=[target.verifier],
    )  # fmt: skip
    assert checkpoint.size == 3
    assert [s.name for s in note.signatures] == [fake.origin, target.verifier.name]
    assert target.stored(fake.origin) == (3, fake.root())


def test_growth_with_a_valid_proof_is_cosigned(target: SameProcess | SecondInstance) -> None:
    fake = target.new_log().grow(3)
    assert target.post(body(0, [], fake.note())).status == 200
    for old, new in [(3, 4), (4, 10), (10, 10), (10, 1000), (1000, 1025)]:
        fake.grow(new)
        note = fake.note()
        answer = target.post(body(old, fake.proof(old), note))
        assert answer.status == 200, answer.text
        _checkpoint, opened = open_checkpoint(
            note + answer.text, origin=fake.origin, log=fake.verifier,
            cosigners=[target.verifier],
        )  # fmt: skip
        assert len(opened.signatures) == 2
        assert target.stored(fake.origin) == (new, fake.root())


def test_a_checkpoint_with_other_signatures_is_cosigned(
    target: SameProcess | SecondInstance,
) -> None:
    fake = target.new_log().grow(2)
    stranger = Signer.generate("stranger.test", ALG_COSIGNATURE_V1)
    text, signatures = parse_note(fake.note())
    extra = Signature(stranger.name, stranger.key_id, stranger.sign(text.encode()))
    note = text + "\n" + extra.line + "".join(s.line for s in signatures)
    answer = target.post(body(0, [], note))
    assert answer.status == 200
    open_checkpoint(
        fake.note() + answer.text, origin=fake.origin, log=fake.verifier,
        cosigners=[target.verifier],
    )  # fmt: skip


def test_forged_checkpoint_is_forbidden(target: SameProcess | SecondInstance) -> None:
    fake = target.new_log().grow(3)
    assert target.post(body(0, [], fake.note())).status == 200
    fake.grow(8)
    impostor = Signer.generate(fake.origin)  # same name, another key
    answer = target.post(body(3, fake.proof(3), fake.note(signer=impostor)))
    assert answer.status == 403
    assert "not signed by a key this witness trusts" in answer.text
    # A bad signature by the trusted key itself is no better.
    text, signatures = parse_note(fake.note())
    damaged = Signature(signatures[0].name, signatures[0].key_id, bytes(64))
    assert target.post(body(3, fake.proof(3), text + "\n" + damaged.line)).status == 403
    assert target.stored(fake.origin) == (3, fake.root(3))


def test_unknown_origin_is_not_found(target: SameProcess | SecondInstance) -> None:
    stranger = FakeLog(Signer.generate("unknown.test/log")).grow(2)
    answer = target.post(body(0, [], stranger.note()))
    assert answer.status == 404
    assert "unknown.test/log" in answer.text
    assert target.stored("unknown.test/log") is None


def test_stale_old_size_is_a_conflict_with_the_stored_size(
    target: SameProcess | SecondInstance,
) -> None:
    fake = target.new_log().grow(5)
    assert target.post(body(0, [], fake.note())).status == 200
    fake.grow(9)
    for old in (0, 3, 4):
        answer = target.post(body(old, fake.proof(old), fake.note()))
        assert (answer.status, answer.text, answer.content_type) == (409, "5\n", "text/x.tlog.size")
    assert target.stored(fake.origin) == (5, fake.root(5))
    # The client then retries from the size it was told.
    assert target.post(body(5, fake.proof(5), fake.note())).status == 200


def test_bad_consistency_proof_is_unprocessable(target: SameProcess | SecondInstance) -> None:
    fake = target.new_log().grow(3)
    assert target.post(body(0, [], fake.note())).status == 200
    fake.grow(8)
    proof = fake.proof(3)
    flipped = [bytes([proof[0][0] ^ 1]) + proof[0][1:], *proof[1:]]
    for bad in (flipped, proof[:-1], [*proof, proof[0]], [], list(reversed(proof))):
        answer = target.post(body(3, bad, fake.note()))
        assert answer.status == 422, bad
        assert "does not verify" in answer.text
    # Equal sizes need an empty proof; old size 0 too.
    assert target.post(body(3, proof[:1], fake.note(3))).status == 422
    assert target.stored(fake.origin) == (3, fake.root(3))
    assert target.post(body(3, proof, fake.note())).status == 200


def test_proof_with_old_size_zero_is_unprocessable(target: SameProcess | SecondInstance) -> None:
    fake = target.new_log().grow(4)
    answer = target.post(body(0, [fake.root(2)], fake.note()))
    assert answer.status == 422
    assert target.stored(fake.origin) in (None, (0, b""))


def test_old_size_above_the_checkpoint_is_a_bad_request(
    target: SameProcess | SecondInstance,
) -> None:
    fake = target.new_log().grow(4)
    answer = target.post(body(5, [], fake.note()))
    assert answer.status == 400
    assert "larger than the checkpoint" in answer.text
    for data in (b"old 0\n\nnot a note\n", body(0, [], fake.note().replace("\n4\n", "\n04\n"))):
        assert target.post(data).status == 400


def test_fork_is_refused_and_the_stored_checkpoint_kept(
    target: SameProcess | SecondInstance, caplog: pytest.LogCaptureFixture
) -> None:
    fake = target.new_log().grow(3)
    assert target.post(body(0, [], fake.note())).status == 200
    # The same log key signs another history: a valid proof of *that* tree, from its size 3.
    fork = fake.fork().grow(8)
    answer = target.post(body(3, fork.proof(3), fork.note()))
    assert answer.status == 422
    # A fork of the very same size: the roots differ, a conflict.
    answer = target.post(body(3, [], fork.note(3)))
    assert (answer.status, answer.text, answer.content_type) == (409, "3\n", "text/x.tlog.size")
    assert target.stored(fake.origin) == (3, fake.root(3))
    if isinstance(target, SameProcess):  # the evidence is logged by the instance that saw it
        evidence = [r.getMessage() for r in caplog.records if "Witness: refused" in r.getMessage()]
        assert len(evidence) == 2
        assert fork.note(3) in evidence[1]
    # The honest log goes on being cosigned.
    fake.grow(8)
    assert target.post(body(3, fake.proof(3), fake.note())).status == 200
    assert target.stored(fake.origin) == (8, fake.root())


def test_empty_tree_then_growth(target: SameProcess | SecondInstance) -> None:
    fake = target.new_log()
    assert target.post(body(0, [], fake.note())).status == 200
    assert target.stored(fake.origin) == (0, merkle.EMPTY_ROOT)
    bogus = sign_checkpoint(CheckpointBody(fake.origin, 0, bytes(32)), [fake.signer])
    answer = target.post(body(0, [], bogus))
    assert (answer.status, answer.text) == (409, "0\n")
    fake.grow(1)
    assert target.post(body(0, [], fake.note())).status == 200
    assert target.stored(fake.origin) == (1, fake.root())


def test_only_post_and_small_bodies(target: SameProcess | SecondInstance) -> None:
    if isinstance(target, SameProcess):
        assert target.client.get(PATH).status_code == 405
    else:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(target.url + PATH, timeout=10)  # noqa: S310 - loopback
        assert refused.value.code == 405
    answer = target.post(b"old 0\n\n" + b"x" * (witness.MAX_REQUEST_BYTES + 1))
    assert answer.status == 413


# In this process the race needs a database that lets writers wait for each other: the in-memory
# SQLite test database refuses a second writer at once, so there the race runs against the second
# instance only (a real SQLite file behind gunicorn).
RACE_TARGETS = ["second-instance"] + (
    ["same-process"] if "postgresql" in django_settings.DATABASES["default"]["ENGINE"] else []
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", RACE_TARGETS)
def test_racing_requests_move_the_state_once(
    where: str, request: pytest.FixtureRequest, settings: Any
) -> None:
    """Requests from the same old size race: exactly one is cosigned, the rest get 409."""
    target: SameProcess | SecondInstance = (
        SameProcess(settings)
        if where == "same-process"
        else request.getfixturevalue("second_instance")
    )
    fake = target.new_log().grow(2)
    assert target.post(body(0, [], fake.note())).status == 200
    old = 2
    for _round in range(5):
        fake.grow(old + RACERS)
        answers = race(
            target,
            [
                body(old, fake.proof(old, n), fake.note(n))
                for n in range(old + 1, fake.tree.size + 1)
            ],
        )
        statuses = sorted(a.status for a in answers)
        assert statuses == [200] + [409] * (RACERS - 1)
        size, root = target.stored(fake.origin) or (0, b"")
        assert {a.text for a in answers if a.status == 409} == {f"{size}\n"}
        assert root == fake.root(size)
        # The winner's cosignature is over the stored checkpoint.
        winner = next(a for a in answers if a.status == 200)
        open_checkpoint(
            fake.note(size) + winner.text, origin=fake.origin, log=fake.verifier,
            cosigners=[target.verifier],
        )  # fmt: skip
        # Catch up, so that the next round races from the tree's end again.
        end = fake.tree.size
        if size != end:
            assert target.post(body(size, fake.proof(size, end), fake.note(end))).status == 200
        old = end


RACERS = 8


def race(target: SameProcess | SecondInstance, bodies: list[bytes]) -> list[Answer]:
    """Post every body at once, each from its own thread (and database connection)."""
    answers: list[Answer] = []
    barrier = threading.Barrier(len(bodies))

    def run(data: bytes) -> None:
        try:
            barrier.wait()
            answers.append(target.post(data))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(data,)) for data in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == len(bodies)
    return answers


# --- the log: asking the second instance for cosignatures --------------------------------------


@pytest.fixture
def log(settings: Any, tmp_path: Path, second_instance: SecondInstance) -> Signer:
    """This process as a log the second instance witnesses, with that instance as its witness."""
    signer = second_instance.new_signer()
    settings.WEH_LOG_ORIGIN = signer.name
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    settings.WEH_LOG_WITNESSES = [f"{second_instance.verifier.vkey} {second_instance.prefix}"]
    return signer


def grow(count: int) -> None:
    with transaction.atomic():
        append_entries(
            NewEntry("recognition.granted", f"recognition:WEH-{i:04d}", {"i": i})
            for i in range(count)
        )


def served(client: Client, log: Signer, instance: SecondInstance) -> tuple[int, list[str]]:
    """The log's /log/checkpoint, verified with the log key and the witness key."""
    response = client.get("/log/checkpoint")
    assert response.status_code == 200
    checkpoint, note = open_checkpoint(
        response.content, origin=log.name, log=log.verifier, cosigners=[instance.verifier]
    )
    return checkpoint.size, [s.name for s in note.signatures]


@pytest.mark.django_db(transaction=True)
def test_log_checkpoints_are_cosigned_by_the_second_instance(
    log: Signer, second_instance: SecondInstance, client: Client
) -> None:
    # The commit signs a checkpoint (task), whose commit asks the witness (task).
    grow(3)
    checkpoint = Checkpoint.objects.get(size=3)
    assert checkpoint.cosignatures.startswith(f"\u2014 {second_instance.verifier.name} ")
    assert served(client, log, second_instance) == (3, [log.name, second_instance.verifier.name])
    assert LogWitness.objects.get().size == 3
    assert second_instance.stored(log.name) == (3, bytes(checkpoint.root_hash))
    # Next checkpoint: the proof from 3 goes along.
    grow(4)
    assert served(client, log, second_instance) == (7, [log.name, second_instance.verifier.name])
    assert LogWitness.objects.get().size == 7
    assert second_instance.stored(log.name) == (7, bytes(Checkpoint.objects.get(size=7).root_hash))
    # Each checkpoint keeps its own cosignature.
    assert (
        Checkpoint.objects.get(size=3).cosignatures != Checkpoint.objects.get(size=7).cosignatures
    )


def test_asking_again_replaces_the_witness_cosignature(
    log: Signer, second_instance: SecondInstance
) -> None:
    grow(2)
    publish_checkpoint()
    assert witness.collect_cosignatures() == {second_instance.verifier.name: "cosigned"}
    assert witness.collect_cosignatures(2) == {second_instance.verifier.name: "cosigned"}
    lines = Checkpoint.objects.get(size=2).cosignatures.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"\u2014 {second_instance.verifier.name} ")


def test_log_retries_once_from_the_size_the_witness_reports(
    log: Signer, second_instance: SecondInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    grow(2)
    publish_checkpoint()
    assert witness.collect_cosignatures() == {second_instance.verifier.name: "cosigned"}
    LogWitness.objects.all().delete()  # the log forgets what the witness cosigned
    grow(3)
    publish_checkpoint()
    sent: list[tuple[str, int]] = []
    real_post = witness._post

    def post(url: str, data: bytes) -> tuple[int, bytes, str]:
        answer = real_post(url, data)
        sent.append((data.decode().split("\n", 1)[0], answer[0]))
        return answer

    monkeypatch.setattr(witness, "_post", post)
    assert witness.collect_cosignatures() == {second_instance.verifier.name: "cosigned"}
    assert sent == [("old 0", 409), ("old 2", 200)]
    assert LogWitness.objects.get().size == 5
    assert Checkpoint.objects.get(size=5).cosignatures


def test_a_witness_ahead_of_the_checkpoint_is_skipped(
    log: Signer, second_instance: SecondInstance, caplog: pytest.LogCaptureFixture
) -> None:
    grow(2)
    publish_checkpoint()
    grow(3)
    publish_checkpoint()
    assert witness.collect_cosignatures(5) == {second_instance.verifier.name: "cosigned"}
    name = second_instance.verifier.name
    assert witness.collect_cosignatures(2) == {name: "ahead"}
    assert Checkpoint.objects.get(size=2).cosignatures == ""
    assert "larger than any it published" not in caplog.text
    # A witness that cosigned more than the log ever published: the log says so, loudly.
    LogWitness.objects.all().delete()
    Checkpoint.objects.filter(size=5).delete()  # as if the database were restored
    assert witness.collect_cosignatures(2) == {name: "ahead"}
    assert "larger than any it published" in caplog.text


def test_a_forked_log_is_not_cosigned(
    log: Signer, second_instance: SecondInstance, caplog: pytest.LogCaptureFixture
) -> None:
    # Someone with the log's key shows the witness another tree of size 2 first.
    other = FakeLog(log, tag="other").grow(2)
    assert second_instance.post(body(0, [], other.note())).status == 200
    grow(5)
    publish_checkpoint()
    outcome = witness.collect_cosignatures()
    assert outcome[second_instance.verifier.name].startswith("failed: ")
    assert "422" in outcome[second_instance.verifier.name]
    assert Checkpoint.objects.get(size=5).cosignatures == ""
    assert "no cosignature of checkpoint 5" in caplog.text
    assert second_instance.stored(log.name) == (2, other.root())


def test_same_size_other_root_at_the_witness_is_reported(
    log: Signer, second_instance: SecondInstance, caplog: pytest.LogCaptureFixture
) -> None:
    grow(3)
    publish_checkpoint()
    other = FakeLog(log, tag="other").grow(3)
    assert second_instance.post(body(0, [], other.note())).status == 200
    LogWitness.objects.update_or_create(vkey=second_instance.verifier.vkey, defaults={"size": 3})
    outcome = witness.collect_cosignatures()
    assert outcome[second_instance.verifier.name].startswith("failed: ")
    assert "holds a checkpoint of size 3 with another root" in caplog.text


def test_a_cosignature_by_another_key_is_not_stored(
    log: Signer, second_instance: SecondInstance, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = Signer.generate(second_instance.verifier.name, ALG_COSIGNATURE_V1)
    settings.WEH_LOG_WITNESSES = [f"{wrong.vkey} {second_instance.prefix}"]
    grow(2)
    publish_checkpoint()
    outcome = witness.collect_cosignatures()
    assert "does not verify" in outcome[wrong.name]
    assert Checkpoint.objects.get(size=2).cosignatures == ""
    assert "no cosignature of checkpoint 2" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_witness_never_stops_the_log(
    settings: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, client: Client
) -> None:
    signer = Signer.generate("weh.test/log")
    cosigner = Signer.generate("down.test", ALG_COSIGNATURE_V1)
    settings.WEH_LOG_ORIGIN = signer.name
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    settings.WEH_LOG_WITNESSES = [f"{cosigner.vkey} http://127.0.0.1:{free_port()}/w"]
    grow(4)  # commits, signs, asks: the witness is down
    assert Checkpoint.objects.get(size=4).cosignatures == ""
    assert "cannot reach http://127.0.0.1:" in caplog.text
    response = client.get("/log/checkpoint")
    _checkpoint, note = open_checkpoint(response.content, origin=signer.name, log=signer.verifier)
    assert len(note.signatures) == 1


def test_no_witnesses_configured_asks_nobody(settings: Any) -> None:
    settings.WEH_LOG_WITNESSES = []
    assert witness.collect_cosignatures() == {}


def test_witness_answer_must_be_signature_lines() -> None:
    cosigner = Signer.generate("w.test", ALG_COSIGNATURE_V1)
    w = witness.Witness(cosigner.verifier, "http://w.test/add-checkpoint")
    fake = FakeLog(Signer.generate("a.test/log")).grow(3)
    note = fake.note()
    line = cosign_checkpoint(parse_note(note)[0], cosigner).line
    assert witness._verified_cosignatures(w, note, line.encode())[0].name == "w.test"
    for bad in (b"", b"hello\n", line.encode()[:-1], b"\xff\n", (line + "\n").encode()):
        with pytest.raises(witness.WitnessClientError):
            witness._verified_cosignatures(w, note, bad)
    # A cosignature over another checkpoint does not verify.
    other = cosign_checkpoint(parse_note(fake.grow(4).note())[0], cosigner).line
    with pytest.raises(witness.WitnessClientError, match="does not verify"):
        witness._verified_cosignatures(w, note, other.encode())
    with pytest.raises(NoteError):
        open_checkpoint(note + other, origin=fake.origin, log=fake.verifier, cosigners=[w.verifier])


# --- verifiers requiring witnesses, and the operator's view -----------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_verify_log_requires_the_witness_cosignatures_asked_for(
    log: Signer, second_instance: SecondInstance, live_server: Any
) -> None:
    grow(3)  # the commit signs checkpoint 3, and the second instance cosigns it
    url = f"{live_server.url}/log"
    witnessed = second_instance.verifier
    out = run("verify", "log", "--url", url, "--key", log.vkey, "--witness", witnessed.vkey)
    assert f"cosigned by 1 of 1 (1 required): {witnessed.name}+{witnessed.key_id:08x}" in out

    absent = Signer.generate("absent.witness.example", alg=ALG_COSIGNATURE_V1).verifier
    both = ("--witness", witnessed.vkey, "--witness", absent.vkey)
    with pytest.raises(CommandError) as failure:
        run("verify", "log", "--url", url, "--key", log.vkey, *both)
    message = str(failure.value)
    assert "carries 1 of the 2 witness cosignatures required" in message
    assert f"none from absent.witness.example+{absent.key_id:08x}" in message
    out = run("verify", "log", "--url", url, "--key", log.vkey, *both, "--quorum", "1")
    assert "cosigned by 1 of 2 (1 required)" in out

    with pytest.raises(CommandError, match="not a witness key"):
        run("verify", "log", "--url", url, "--key", log.vkey, "--witness", log.vkey)
    with pytest.raises(CommandError, match="--quorum 3 must be between 0 and"):
        run("verify", "log", "--url", url, "--key", log.vkey, *both, "--quorum", "3")


@pytest.mark.django_db(transaction=True)
def test_a_forged_cosignature_fails_verification(
    log: Signer, second_instance: SecondInstance, live_server: Any
) -> None:
    grow(2)
    checkpoint = Checkpoint.objects.get(size=2)
    # The witness's cosignature line with one bit of its signature flipped.
    dash, name, blob = checkpoint.cosignatures.strip().split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 1
    line = f"{dash} {name} {base64.b64encode(bytes(raw)).decode()}\n"
    Checkpoint.objects.filter(size=2).update(cosignatures=line)
    with pytest.raises(CommandError) as failure:
        run(
            "verify", "log", "--url", f"{live_server.url}/log", "--key", log.vkey,
            "--witness", second_instance.verifier.vkey,
        )  # fmt: skip
    assert "is NOT a checkpoint of" in str(failure.value)


@pytest.mark.django_db(transaction=True)
def test_log_status_lists_witnesses_and_the_logs_witnessed(
    log: Signer, second_instance: SecondInstance, settings: Any
) -> None:
    out = run("log", "status")
    assert f"{second_instance.verifier.name}+{second_instance.verifier.key_id:08x}" in out
    assert "last cosigned 0 entries; on the latest checkpoint: not yet" in out
    grow(4)
    out = run("log", "status")
    assert "last cosigned 4 entries; on the latest checkpoint: yes" in out
    assert "witnessing" not in out

    # This hub witnessing another log: the checkpoint it last cosigned is listed.
    here = SameProcess(settings)
    other = here.new_log().grow(5)
    assert here.post(body(0, [], other.note())).status == 200
    out = run("log", "status")
    assert f"witnessing:        {other.signer.name}: 5 entries, last cosigned" in out
