"""The French and Chinese catalogs ship complete, and pages switch language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

LOCALE = Path(__file__).resolve().parents[2] / "weh" / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def entries(path: Path) -> list[tuple[str, list[str]]]:
    """(msgid, msgstrs) of a .po file; enough of the format for the checks below."""
    found: list[tuple[str, list[str]]] = []
    msgid: str | None = None
    strs: list[str] = []
    current: str | None = None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("msgid "):
            if msgid is not None:
                found.append((msgid, strs))
            msgid, strs, current = line[7:-1], [], "id"
        elif line.startswith("msgid_plural "):
            current = "plural"
        elif line.startswith("msgstr"):
            strs.append(line.split(" ", 1)[1][1:-1])
            current = "str"
        elif line.startswith('"') and current == "id" and msgid is not None:
            msgid += line[1:-1]
        elif line.startswith('"') and current == "str":
            strs[-1] += line[1:-1]
    if msgid is not None:
        found.append((msgid, strs))
    return [(m, s) for m, s in found if m]


@pytest.mark.parametrize("language", ["fr", "zh_Hans"])
def test_catalog_is_complete_and_keeps_placeholders(language: str) -> None:
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    items = entries(path)
    assert len(items) > 500
    for msgid, strs in items:
        assert strs, msgid
        assert all(s for s in strs), f"untranslated: {msgid!r}"
        for translated in strs:
            assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(msgid)), (
                msgid
            )
    assert "#, fuzzy" not in path.read_text(encoding="utf-8")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", ["Sujets", "Organisations"]), ("zh-hans", ["评估对象"])],
)
def test_pages_in_other_languages(language: str, expected: list[str]) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    html = client.get("/subjects/").content.decode()
    for text in expected:
        assert text in html
