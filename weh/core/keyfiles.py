"""Development key files: created once, readable by their owner only, the same for every process."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def create_secret_file(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` with mode 0600 unless the file exists; True if this call wrote it.

    The text goes complete into a temporary file beside ``path`` (mkstemp makes it 0600), which
    is then linked into place. A link, unlike a rename, fails when another process got there
    first, so processes starting together all end up with the key that is in the file, and
    what each of them signs stays verifiable.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:
            # No hard links on this file system: a rename is atomic too, only last-one-wins.
            if path.exists():
                return False
            temporary.replace(path)
        return True
    finally:
        temporary.unlink(missing_ok=True)
