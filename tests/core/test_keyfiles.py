"""Development key files: written once, private to their owner, one winner among racers."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

from weh.core.keyfiles import create_secret_file


def test_the_file_is_written_once_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "log_key"
    assert create_secret_file(path, "first\n")
    assert path.read_text() == "first\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not create_secret_file(path, "second\n")
    assert path.read_text() == "first\n"
    assert [p.name for p in path.parent.iterdir()] == ["log_key"]  # no temporary file left


def test_of_processes_starting_together_exactly_one_writes(tmp_path: Path) -> None:
    path = tmp_path / "certificate_key"
    start = threading.Barrier(8)
    won: list[str] = []

    def race(text: str) -> None:
        start.wait()
        if create_secret_file(path, text):
            won.append(text)

    threads = [threading.Thread(target=race, args=(f"key {i}\n",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    assert path.read_text() == won[0]
    assert [p.name for p in tmp_path.iterdir()] == ["certificate_key"]
