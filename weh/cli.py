"""The ``weh`` command: Django's management commands under one short name.

``weh serve``, ``weh demo``, ``weh migrate``, ``weh createsuperuser`` …;
``weh help`` lists them all.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weh.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "weh"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
