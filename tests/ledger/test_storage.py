"""The stored log: entries, sequencing, stored hashes, proofs from storage, checkpoints, the key."""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import random
from datetime import UTC, datetime, timedelta, timezone
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, transaction

from weh.ledger import keys, merkle, selectors, services
from weh.ledger.merkle import Tree, stored_hash_count
from weh.ledger.models import Checkpoint, LogCounter, LogEntry, LogHash
from weh.ledger.note import ALG_COSIGNATURE_V1, Signer, open_checkpoint
from weh.ledger.services import NewEntry, append_entries, append_entry, publish_checkpoint
from weh.review.certificate import canonical_json

pytestmark = pytest.mark.django_db

ORIGIN = "weh.test/log"
AT = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path: Path) -> Signer:  # type: ignore[no-untyped-def]
    """A fresh log key for each test, from WEH_LOG_KEY."""
    signer = Signer.generate(ORIGIN)
    settings.WEH_LOG_ORIGIN = ORIGIN
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    return signer


def add(n: int = 1, *, prefix: str = "e") -> list[LogEntry]:
    """Append n entries one by one, each in its own savepoint, as services do."""
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(
                append_entry(
                    kind="test.event",
                    subject=f"subject:{prefix}{i}",
                    content={"n": i, "prefix": prefix},
                    at=AT,
                )
            )
    return out


def stored_hashes() -> list[bytes]:
    return [bytes(h) for h in LogHash.objects.order_by("index").values_list("hash", flat=True)]


def tree_of_entries() -> Tree:
    tree = Tree()
    tree.extend(
        e.encode() for e in LogEntry.objects.order_by("index").values_list("text", flat=True)
    )
    return tree


# --- entries ---------------------------------------------------------------------------------


def test_entry_is_canonical_json_with_type_time_subject_content_hash_and_summary() -> None:
    content = {"serial": "WEH-2025-0001", "level": "gold", "reasons": "Strong evidence"}
    with transaction.atomic():
        entry = append_entry(
            kind="recognition.granted",
            subject="recognition:WEH-2025-0001",
            content=content,
            at=AT,
            facts={"level": "gold", "tier": "reviewed"},
        )

    assert entry.index == 0
    expected = {
        "content_sha256": hashlib.sha256(canonical_json(content)).hexdigest(),
        "subject": "recognition:WEH-2025-0001",
        "summary": {"level": "gold", "tier": "reviewed"},
        "timestamp": "2025-03-04T05:06:07Z",
        "type": "recognition.granted",
    }
    assert entry.text == canonical_json(expected).decode()
    assert json.loads(entry.text) == expected
    stored = LogEntry.objects.get(index=0)
    assert stored.text == entry.text
    assert stored.kind == "recognition.granted"
    assert stored.content_sha256 == expected["content_sha256"]
    assert stored.recorded_at == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert stored_hashes() == [merkle.leaf_hash(entry.text.encode())]


@pytest.mark.parametrize(
    "subject",
    ["subject:42", 'doc:a"b', "doc:back\\slash", "finance:x/y~z{}[]", "a-b_c:!#$%&'()*+,-."],
)
@pytest.mark.parametrize("facts", [None, {}, {"b": [1, "é", None, True], "a": {"z": "\u2028\n"}}])
def test_entry_text_is_exactly_canonical_json(subject: str, facts: dict | None) -> None:
    text = services.encode_entry(
        kind="x.y_z", subject=subject, content={"k": [1, 2]}, facts=facts, at=AT
    )
    document = json.loads(text)
    assert document["subject"] == subject
    assert document["summary"] == (facts or {})
    assert text.encode() == canonical_json(document)


def test_entry_time_is_converted_to_utc_whole_seconds() -> None:
    at = datetime(2025, 3, 4, 8, 6, 7, 999_999, tzinfo=timezone(timedelta(hours=3)))
    text = services.encode_entry(kind="a.b", subject="subject:1", content={}, at=at)
    assert json.loads(text)["timestamp"] == "2025-03-04T05:06:07Z"


def test_non_ascii_text_is_stored_and_hashed_as_utf8() -> None:
    with transaction.atomic():
        entry = append_entry(
            kind="case.published", subject="subject:7", content={}, facts={"name": "Forêt — 森林"}
        )
    assert "Forêt — 森林" in entry.text
    assert stored_hashes()[0] == merkle.leaf_hash(entry.text.encode("utf-8"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "Recognition granted"}, "dotted lower-case"),
        ({"kind": ""}, "dotted lower-case"),
        ({"subject": "WEH-0001"}, "reference"),
        ({"subject": "recognition:has space"}, "reference"),
        ({"content": {"amount": 1.5}}, "float"),
        ({"facts": {"share": 0.5}}, "float"),
        ({"content": ["not", "a", "mapping"]}, "mapping"),
        ({"at": datetime(2025, 1, 1)}, "timezone-aware"),  # naive: the point of the test
        ({"facts": {"notes": "x" * 5000}}, "at most 4096"),
    ],
)
def test_invalid_entries_are_refused_and_nothing_is_written(kwargs: dict, message: str) -> None:
    arguments = {"kind": "a.b", "subject": "subject:1", "content": {}, **kwargs}
    with pytest.raises(ValueError, match=message), transaction.atomic():
        append_entry(**arguments)
    assert LogEntry.objects.count() == 0
    assert LogHash.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        append_entry(kind="a.b", subject="subject:1", content={})
    with pytest.raises(RuntimeError, match="inside the transaction"):
        append_entries([NewEntry("a.b", "subject:1", {})])
    assert LogEntry.objects.count() == 0


# --- sequencing and transactions -------------------------------------------------------------


class Boom(Exception):
    pass


@transaction.atomic
def decide(*, content: dict, fail: bool = False) -> LogEntry:
    """A service: a business write, then its log entry, in one transaction."""
    Group.objects.create(name="decision")
    entry = append_entry(kind="a.b", subject="subject:decision", content=content)
    if fail:
        raise Boom(entry.index)
    return entry


def test_rolled_back_transaction_leaves_no_entry_and_no_gap() -> None:
    add(2)
    with pytest.raises(Boom) as failure:
        decide(content={}, fail=True)

    assert failure.value.args == (2,)  # it had index 2 before the rollback
    assert not Group.objects.exists()
    assert LogEntry.objects.count() == 2
    assert LogHash.objects.count() == stored_hash_count(2)
    [after] = add(1, prefix="after")
    assert after.index == 2
    assert list(LogEntry.objects.values_list("index", flat=True)) == [0, 1, 2]
    assert stored_hashes() == tree_of_entries().read_hashes(list(range(stored_hash_count(3))))


def test_a_failing_entry_rolls_back_the_business_write() -> None:
    with pytest.raises(ValueError, match="float"):
        decide(content={"score": 0.5})
    assert not Group.objects.exists()


def test_unique_index_stops_a_duplicate_even_if_the_sequencer_is_wrong() -> None:
    add(3)
    LogCounter.objects.filter(name=LogCounter.SEQUENCER).update(value=1)  # a broken sequencer

    with pytest.raises(IntegrityError):
        decide(content={})

    assert not Group.objects.exists()
    assert list(LogEntry.objects.values_list("subject", flat=True)) == [
        "subject:e0",
        "subject:e1",
        "subject:e2",
    ]


def test_indexes_are_contiguous_across_single_and_bulk_appends() -> None:
    add(3)
    with transaction.atomic():
        indexes = append_entries(
            NewEntry("bulk.event", f"subject:b{i}", {"i": i}, at=AT) for i in range(5)
        )
    assert indexes == range(3, 8)
    add(2, prefix="z")
    assert list(LogEntry.objects.values_list("index", flat=True)) == list(range(10))


@transaction.atomic
def bulk_then_fail(entries: list[NewEntry]) -> None:
    append_entries(entries)
    raise Boom


def test_bulk_append_is_all_or_nothing() -> None:
    add(1)
    entries = [NewEntry("a.b", "subject:1", {}), NewEntry("a.b", "subject:2", {"x": 1.0})]
    with pytest.raises(ValueError, match="float"), transaction.atomic():
        append_entries(entries)
    with pytest.raises(Boom):
        bulk_then_fail(entries[:1] * 3)
    assert LogEntry.objects.count() == 1
    assert LogHash.objects.count() == 1
    with transaction.atomic():
        assert append_entries([]) == range(0)


def test_sequencer_row_is_recreated_from_the_entries_when_missing() -> None:
    add(4)
    LogCounter.objects.all().delete()
    [entry] = add(1, prefix="next")
    assert entry.index == 4
    assert LogCounter.objects.get(name=LogCounter.SEQUENCER).value == 5


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_hashes_match_the_in_memory_tree(seed: int) -> None:
    rng = random.Random(seed)
    size = 0
    for _ in range(6):
        count = rng.randrange(1, 80)
        if rng.random() < 0.5:
            add(count, prefix=f"s{size}-")
        else:
            with transaction.atomic():
                append_entries(
                    NewEntry("bulk.event", f"subject:{size + i}", {"i": i}) for i in range(count)
                )
        size += count
        tree = tree_of_entries()
        assert len(tree) == size
        assert stored_hashes() == tree.read_hashes(list(range(stored_hash_count(size))))
        assert merkle.tree_root(size, selectors.read_hashes) == tree.root()


# --- proofs from storage ---------------------------------------------------------------------


@pytest.fixture
def log_of_300() -> Tree:
    with transaction.atomic():
        append_entries(NewEntry("bulk.event", f"subject:{i}", {"i": i}) for i in range(300))
    return tree_of_entries()


def test_inclusion_proofs_from_storage_verify_and_take_one_query(
    log_of_300: Tree, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(9)
    for _ in range(40):
        size = rng.randrange(1, 301)
        index = rng.randrange(size)
        with django_assert_num_queries(1):
            proof = merkle.inclusion_proof(index, size, selectors.read_hashes)
        assert proof == log_of_300.inclusion_proof(index, size)
        merkle.verify_inclusion(
            index, size, log_of_300.leaf_hash(index), proof, log_of_300.root(size)
        )


def test_consistency_proofs_and_roots_from_storage_take_one_query(
    log_of_300: Tree, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(10)
    for _ in range(40):
        second = rng.randrange(1, 301)
        first = rng.randrange(1, second + 1)
        with django_assert_num_queries(1):
            proof = merkle.consistency_proof(first, second, selectors.read_hashes)
        with django_assert_num_queries(1):
            root = merkle.tree_root(second, selectors.read_hashes)
        assert root == log_of_300.root(second)
        merkle.verify_consistency(first, second, proof, log_of_300.root(first), root)


def test_proofs_of_a_published_checkpoint_are_kept_for_the_next_request(
    django_assert_num_queries,
) -> None:  # type: ignore[no-untyped-def]
    add(300)
    publish_checkpoint()
    tree = tree_of_entries()
    selectors.hash_cache().clear()
    with django_assert_num_queries(3):  # the entry, the checkpoint, the hashes
        first = selectors.inclusion(40)
    with django_assert_num_queries(2):  # its sibling's proof read the same hashes
        again = selectors.inclusion(41)
    with django_assert_num_queries(3):  # a second miss in entries 0-255: read them whole
        whole = selectors.inclusion(130)
    with django_assert_num_queries(2):  # now any entry of the block
        other = selectors.inclusion(250)
    for found in (first, again, whole, other):
        i = found.entry.index
        assert found.leaf_hash == tree.leaf_hash(i)
        assert found.proof == tree.inclusion_proof(i, 300)
    with django_assert_num_queries(2):
        found = selectors.consistency(300)
    assert found.proof == []


def test_the_kept_hashes_are_dropped_when_the_stored_log_is_another_one() -> None:
    add(20, prefix="first")
    publish_checkpoint()
    assert selectors.inclusion(7).proof == tree_of_entries().inclusion_proof(7)
    # The database is emptied and refilled (a reset, a restore): same size, other entries.
    for model in (LogEntry, LogHash, Checkpoint, LogCounter):
        model.objects.all().delete()
    add(20, prefix="second")
    publish_checkpoint()
    tree = tree_of_entries()
    found = selectors.inclusion(7)
    assert found.leaf_hash == tree.leaf_hash(7)
    assert found.proof == tree.inclusion_proof(7)
    merkle.verify_inclusion(7, 20, found.leaf_hash, found.proof, tree.root())


def test_proofs_against_a_grown_log_keep_the_older_hashes(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    add(10)
    publish_checkpoint()
    selectors.inclusion(3)
    add(5, prefix="later")
    publish_checkpoint()
    tree = tree_of_entries()
    # A new checkpoint: the cache asks once whether the old one is still published, then
    # reads the block again, which has grown past what it held.
    with django_assert_num_queries(4):
        found = selectors.inclusion(12)
    assert found.proof == tree.inclusion_proof(12, 15)
    with django_assert_num_queries(2):
        found = selectors.inclusion(2)
    assert found.proof == tree.inclusion_proof(2, 15)


def test_no_cache_configured_reads_storage_every_time(settings, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_LOG_HASH_CACHE_MB = 0
    selectors.hash_cache.cache_clear()
    try:
        add(30)
        publish_checkpoint()
        for _ in range(2):
            with django_assert_num_queries(3):
                found = selectors.inclusion(9)
            assert found.proof == tree_of_entries().inclusion_proof(9)
        assert selectors.hash_cache().size_bytes == 0
    finally:
        selectors.hash_cache.cache_clear()


def test_a_missing_stored_hash_is_reported() -> None:
    add(2)
    LogHash.objects.filter(index=merkle.stored_hash_index(1, 0)).delete()  # the root of 2
    with pytest.raises(selectors.StorageError, match="stored tree hash 2 is missing"):
        merkle.tree_root(2, selectors.read_hashes)


# --- checkpoints -----------------------------------------------------------------------------


def test_first_publish_signs_the_empty_tree_then_only_growth(log_key: Signer) -> None:
    empty = publish_checkpoint()
    assert empty is not None
    assert empty.size == 0
    assert bytes(empty.root_hash) == merkle.EMPTY_ROOT
    assert publish_checkpoint() is None

    add(5)
    checkpoint = publish_checkpoint()
    assert checkpoint is not None
    body, note = open_checkpoint(checkpoint.note, origin=ORIGIN, log=log_key.verifier)
    assert body.size == 5 == checkpoint.size
    assert body.root_hash == tree_of_entries().root() == bytes(checkpoint.root_hash)
    assert [s.name for s in note.signatures] == [ORIGIN]
    assert publish_checkpoint() is None
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [5, 0]
    assert LogCounter.objects.get(name=LogCounter.PUBLISHER).value == 5


def test_successive_checkpoints_are_consistent(log_key: Signer) -> None:
    sizes = []
    for count in (1, 3, 8, 1, 300, 2):
        with transaction.atomic():
            append_entries(NewEntry("a.b", f"subject:{count}", {"c": count}) for _ in range(count))
        checkpoint = publish_checkpoint()
        assert checkpoint is not None
        sizes.append(checkpoint.size)
    tree = tree_of_entries()
    for old, new in itertools.pairwise(sizes):
        merkle.verify_consistency(
            old, new, tree.consistency_proof(old, new), tree.root(old), tree.root(new)
        )
        assert bytes(Checkpoint.objects.get(size=new).root_hash) == tree.root(new)


def test_tampered_stored_hash_of_the_published_tree_refuses_to_sign(caplog) -> None:  # type: ignore[no-untyped-def]
    add(5)
    publish_checkpoint()
    add(3, prefix="later")
    # Hash (2, 0): the root of entries 0-3, part of the signed tree of 5 and of every proof from it.
    LogHash.objects.filter(index=merkle.stored_hash_index(2, 0)).update(hash=b"\x00" * 32)

    with (
        caplog.at_level(logging.CRITICAL, logger="weh.ledger"),
        pytest.raises(services.LogIntegrityError, match="no longer give the root of checkpoint 5"),
    ):
        publish_checkpoint()
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [5]
    assert "checkpoint NOT signed" in caplog.text


def test_tampered_new_hash_refuses_to_sign() -> None:
    add(5)
    publish_checkpoint()
    add(3, prefix="later")
    LogHash.objects.filter(index=merkle.stored_hash_index(0, 6)).update(hash=b"\x01" * 32)
    with pytest.raises(services.LogIntegrityError, match=r"stored tree hash 10 .*near entry 6"):
        publish_checkpoint()
    assert Checkpoint.objects.count() == 1


def test_tampered_entry_text_refuses_to_sign() -> None:
    add(4)
    publish_checkpoint()
    add(2, prefix="later")
    LogEntry.objects.filter(index=4).update(text='{"type":"forged"}')
    with pytest.raises(services.LogIntegrityError, match="near entry 4"):
        publish_checkpoint()


def test_removed_entries_refuse_to_sign() -> None:
    add(4)
    publish_checkpoint()
    LogCounter.objects.filter(name=LogCounter.SEQUENCER).update(value=2)
    with pytest.raises(services.LogIntegrityError, match="fewer than the 4"):
        publish_checkpoint()


def test_a_changed_log_key_refuses_to_sign(settings) -> None:  # type: ignore[no-untyped-def]
    add(2)
    publish_checkpoint()
    add(1, prefix="later")
    settings.WEH_LOG_KEY = Signer.generate(ORIGIN).skey
    with pytest.raises(services.LogIntegrityError, match="does not verify with the configured key"):
        publish_checkpoint()


def test_a_checkpoint_follows_each_committing_transaction(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        add(3)
    # Three appends in one transaction: one checkpoint task.
    assert len(callbacks) == 1
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [3]

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        decide(content={}, fail=True)
    assert callbacks == []


def test_checkpoint_interval_skips_when_the_backend_cannot_defer(settings) -> None:  # type: ignore[no-untyped-def]
    from weh.ledger.tasks import publish_checkpoint_task

    settings.WEH_LOG_CHECKPOINT_INTERVAL = 3600
    add(1)
    assert publish_checkpoint_task.call() == {"published": 1}
    add(1, prefix="later")
    outcome = publish_checkpoint_task.call()
    assert outcome["published"] is None
    assert "skipped" in outcome
    settings.WEH_LOG_CHECKPOINT_INTERVAL = 0
    assert publish_checkpoint_task.call() == {"published": 2}


def test_log_publish_command() -> None:
    add(2)
    out = StringIO()
    call_command("log", "publish", stdout=out)
    assert "Signed checkpoint 2" in out.getvalue()
    out = StringIO()
    call_command("log", "publish", stdout=out)
    assert "no new entries since checkpoint 2" in out.getvalue()
    out = StringIO()
    call_command("log", "status", stdout=out)
    assert "entries:           2" in out.getvalue()


# --- the log key -----------------------------------------------------------------------------


def test_key_from_the_environment(log_key: Signer) -> None:
    assert keys.log_signer().vkey == log_key.vkey
    assert keys.log_verifier() == log_key.verifier


def test_key_file_is_generated_in_testing_and_reused(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_LOG_KEY = ""
    settings.WEH_LOG_KEY_FILE = tmp_path / "keys" / "log_key"
    signer = keys.log_signer()
    assert signer.name == ORIGIN
    assert settings.WEH_LOG_KEY_FILE.stat().st_mode & 0o777 == 0o600
    keys.reset_log_key()
    assert keys.log_signer().vkey == signer.vkey


def test_production_without_a_key_is_refused_with_the_fix(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_LOG_KEY = ""
    settings.WEH_LOG_KEY_FILE = tmp_path / "missing"
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(ImproperlyConfigured, match="weh log generate-key"):
        keys.log_signer()
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("PRIVATE+KEY+nonsense", "not a valid note signer key"),
        (
            Signer.from_seed("other.example/log", b"\x01" * 32).skey,
            "WEH_LOG_ORIGIN is 'weh.test/log'",
        ),
        (Signer.from_seed(ORIGIN, b"\x02" * 32, ALG_COSIGNATURE_V1).skey, "cosigner"),
    ],
    ids=["malformed", "other-origin", "cosigner-key"],
)
def test_unsuitable_keys_are_refused(settings, key: str, message: str) -> None:  # type: ignore[no-untyped-def]
    settings.WEH_LOG_KEY = key
    with pytest.raises(ImproperlyConfigured, match=message):
        keys.log_signer()


def test_generate_key_command_prints_a_usable_key() -> None:
    out = StringIO()
    call_command("log", "generate-key", stdout=out)
    lines = out.getvalue().splitlines()
    skey = next(line for line in lines if line.startswith("WEH_LOG_KEY=")).split("=", 1)[1]
    signer = keys.signer_from_text(skey, origin=ORIGIN, source="test")
    assert any(signer.vkey in line for line in lines)
