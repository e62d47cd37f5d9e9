"""``weh verify log`` and ``weh verify entry`` against a running server (live_server)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from weh.ledger import merkle, selectors
from weh.ledger.models import LogEntry, LogHash
from weh.ledger.note import Checkpoint, Signer, sign_checkpoint
from weh.ledger.services import NewEntry, append_entries

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "weh.test/log"


@pytest.fixture(autouse=True)
def log_key(settings, tmp_path: Path) -> Signer:  # type: ignore[no-untyped-def]
    signer = Signer.generate(ORIGIN)
    settings.WEH_LOG_ORIGIN = ORIGIN
    settings.WEH_LOG_KEY = signer.skey
    settings.WEH_LOG_KEY_FILE = tmp_path / "log_key"
    return signer


def grow(count: int) -> int:
    """Append ``count`` entries in one transaction; its commit has the checkpoint signed."""
    with transaction.atomic():
        indexes = append_entries(
            NewEntry("recognition.granted", f"recognition:WEH-{i:04d}", {"i": i})
            for i in range(count)
        )
    latest = selectors.latest_checkpoint()
    assert latest is not None
    assert latest.size == indexes.stop
    return indexes.stop


def verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_log_verifies_with_entries_saved_checkpoint_and_history(
    live_server, log_key: Signer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    grow(300)
    saved = tmp_path / "checkpoint.txt"
    out, _ = verify(
        "log", "--url", f"{live_server.url}/log", "--key", log_key.vkey,
        "--entry", "0", "--entry", "299", "--save", str(saved),
    )  # fmt: skip
    assert f"Log {ORIGIN} verified" in out
    assert "size:      300 entries" in out
    assert "entry 299: included: recognition.granted recognition:WEH-0299" in out
    assert saved.read_text().startswith(f"{ORIGIN}\n300\n")

    grow(45)
    out, _ = verify(
        "log", "--url", live_server.url, "--key", log_key.vkey, "--since", str(saved), "--all"
    )
    assert "history:   extends the saved checkpoint of 300 entries" in out
    assert "audit:     all 345 entries fetched" in out


def test_key_file_and_key_url(live_server, log_key: Signer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    grow(3)
    key_file = tmp_path / "weh.vkey"
    key_file.write_text(f"# the WEH log\n{log_key.vkey}\n")
    out, err = verify("log", "--url", f"{live_server.url}/log", "--key-file", str(key_file))
    assert "verified" in out
    assert err == ""
    out, err = verify(
        "log", "--url", f"{live_server.url}/log", "--key-url", f"{live_server.url}/log/key"
    )
    assert "verified" in out
    assert "trust on first use" in err


def test_a_key_is_required(live_server) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="one of the arguments --key --key-file --key-url"):
        verify("log", "--url", f"{live_server.url}/log")


def test_wrong_key_fails(live_server) -> None:  # type: ignore[no-untyped-def]
    grow(3)
    other = Signer.generate(ORIGIN)
    with pytest.raises(CommandError) as failure:
        verify("log", "--url", f"{live_server.url}/log", "--key", other.vkey)
    message = str(failure.value)
    assert message.startswith("Log NOT verified.")
    assert f"NOT a checkpoint of {ORIGIN} signed by key {ORIGIN}+{other.key_id:08x}" in message


def test_wrong_origin_fails(live_server, log_key: Signer) -> None:  # type: ignore[no-untyped-def]
    grow(3)
    with pytest.raises(CommandError, match=r"origin 'weh\.test/log' is not 'elsewhere/log'"):
        verify(
            "log", "--url", f"{live_server.url}/log", "--key", log_key.vkey,
            "--origin", "elsewhere/log",
        )  # fmt: skip


def test_tampered_entry_fails_with_the_entry_named(live_server, log_key: Signer) -> None:  # type: ignore[no-untyped-def]
    grow(20)
    LogEntry.objects.filter(index=7).update(text='{"type":"forged"}')
    # The root comes from tiles, which do not hold entries: still verified without --entry.
    verify("log", "--url", f"{live_server.url}/log", "--key", log_key.vkey)
    with pytest.raises(CommandError) as failure:
        verify("log", "--url", f"{live_server.url}/log", "--key", log_key.vkey, "--entry", "7")
    assert "entry 7 in tile/entries/000.p/20 hashes to" in str(failure.value)
    assert "the entry or the tile was altered" in str(failure.value)
    with pytest.raises(CommandError, match="entries were altered, removed or added"):
        verify("log", "--url", f"{live_server.url}/log", "--key", log_key.vkey, "--all")


def test_tampered_tile_fails_with_root_mismatch(live_server, log_key: Signer) -> None:  # type: ignore[no-untyped-def]
    grow(20)
    LogHash.objects.filter(index=merkle.stored_hash_index(0, 19)).update(hash=b"\x07" * 32)
    selectors.hash_cache().clear()  # what a server process started after the damage would hold
    with pytest.raises(CommandError) as failure:
        verify("log", "--url", f"{live_server.url}/log", "--key", log_key.vkey)
    assert "the tiles give root" in str(failure.value)
    assert "the served tiles were altered" in str(failure.value)


def test_since_a_checkpoint_of_another_tree_fails(
    live_server, log_key: Signer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    grow(10)
    # Signed by the right key, but over another tree of 6 entries: a fork.
    other = merkle.Tree()
    other.extend(b"other %d" % i for i in range(6))
    forked = tmp_path / "forked.txt"
    forked.write_text(sign_checkpoint(Checkpoint(ORIGIN, 6, other.root()), [log_key]))
    with pytest.raises(CommandError) as failure:
        verify(
            "log", "--url", f"{live_server.url}/log", "--key", log_key.vkey,
            "--since", str(forked),
        )  # fmt: skip
    message = str(failure.value)
    assert "inconsistent history: the log's checkpoint of 10 entries does not extend the saved" in (
        message
    )
    assert "does not reproduce the root of size 6" in message


def test_since_a_larger_checkpoint_means_rollback(
    live_server, log_key: Signer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    grow(4)
    future = tmp_path / "future.txt"
    future.write_text(sign_checkpoint(Checkpoint(ORIGIN, 9, b"\x01" * 32), [log_key]))
    with pytest.raises(CommandError, match="fewer than the 9 of the saved checkpoint"):
        verify(
            "log", "--url", f"{live_server.url}/log", "--key", log_key.vkey,
            "--since", str(future),
        )  # fmt: skip


def test_since_a_checkpoint_signed_by_another_key_fails(
    live_server, log_key: Signer, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    grow(4)
    stranger = tmp_path / "stranger.txt"
    stranger.write_text(
        sign_checkpoint(Checkpoint(ORIGIN, 2, b"\x01" * 32), [Signer.generate(ORIGIN)])
    )
    with pytest.raises(CommandError, match=f"the saved checkpoint {stranger} is NOT a checkpoint"):
        verify(
            "log", "--url", f"{live_server.url}/log", "--key", log_key.vkey,
            "--since", str(stranger),
        )  # fmt: skip


def test_entry_out_of_range_and_unreachable_server(live_server, log_key: Signer) -> None:  # type: ignore[no-untyped-def]
    grow(2)
    with pytest.raises(CommandError, match="entry 5 is not in the checkpoint, which has 2 entries"):
        verify("log", "--url", f"{live_server.url}/log", "--key", log_key.vkey, "--entry", "5")
    with pytest.raises(CommandError, match="not found"):
        verify("log", "--url", f"{live_server.url}/nolog", "--key", log_key.vkey)


# --- weh verify entry ------------------------------------------------------------------------


@pytest.fixture
def saved_proof(live_server, client, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    grow(13)
    path = tmp_path / "entry.json"
    path.write_bytes(client.get("/api/v1/log/entries/11").content)
    return path


def test_saved_entry_verifies(saved_proof: Path, log_key: Signer) -> None:
    out, _ = verify("entry", str(saved_proof), "--key", log_key.vkey)
    assert f"Entry 11 is in the log {ORIGIN}." in out
    assert "subject:   recognition:WEH-0011" in out
    assert "included in the checkpoint of 13 entries" in out


def test_saved_entry_with_altered_text_fails(saved_proof: Path, log_key: Signer) -> None:
    document = json.loads(saved_proof.read_text())
    document["entry"] = document["entry"].replace("WEH-0011", "WEH-0012")
    saved_proof.write_text(json.dumps(document))
    with pytest.raises(
        CommandError, match=r"NOT verified\. the entry hashes to .* text was altered"
    ):
        verify("entry", str(saved_proof), "--key", log_key.vkey)
    del document["leaf_hash"]
    saved_proof.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="entry 11 is NOT proved to be in the signed checkpoint"):
        verify("entry", str(saved_proof), "--key", log_key.vkey)


def test_saved_entry_with_wrong_key_fails(saved_proof: Path) -> None:
    with pytest.raises(CommandError, match="the proof's checkpoint is NOT a checkpoint"):
        verify("entry", str(saved_proof), "--key", Signer.generate(ORIGIN).vkey)


def test_saved_entry_with_moved_index_fails(saved_proof: Path, log_key: Signer) -> None:
    document = json.loads(saved_proof.read_text())
    document["index"] = 10
    saved_proof.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="entry 10 is NOT proved"):
        verify("entry", str(saved_proof), "--key", log_key.vkey)


def test_not_a_proof_document(tmp_path: Path, log_key: Signer) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"format": "weh-certificate/1"}')
    with pytest.raises(CommandError, match="not 'weh-log-inclusion/1'"):
        verify("entry", str(path), "--key", log_key.vkey)
    with pytest.raises(CommandError, match="No usable log key"):
        verify("entry", str(path), "--key", "not-a-key")
