"""The built-in catalog: every file valid, loading idempotent, used versions immutable."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from weh.standards.models import Crosswalk, Indicator, StandardVersion
from weh.standards.scoring import NOT_APPLICABLE
from weh.standards.services import CATALOG_DIR, CatalogError, load_catalog, read_catalog

pytestmark = pytest.mark.django_db


def test_the_four_standards_are_complete() -> None:
    standards, crosswalks = read_catalog()
    shape = {
        d.key: (len(d.components or []), len(d.all_criteria()), len(d.indicators()))
        for d, _source in standards
    }
    assert shape["iucn-nbs@1.0"] == (0, 8, 28)
    assert shape["iucn-green-list@1.1"][:2] == (4, 17)
    assert shape["iucn-green-list@1.1"][2] >= 34
    assert shape["uea@2005"] == (0, 7, 21)
    weh = shape["weh-framework@1.0"]
    assert 6 <= weh[1] <= 8
    assert 20 <= weh[2] <= 30
    assert {c.id for c, _source in crosswalks} == {
        "weh-framework-to-iucn-nbs",
        "weh-framework-to-iucn-green-list",
        "weh-framework-to-uea",
    }


def test_every_indicator_describes_every_rating_level_in_english() -> None:
    standards, _crosswalks = read_catalog()
    for definition, source in standards:
        codes = {r.code for r in definition.rating_scale.ratings}
        for indicator in definition.indicators():
            assert set(indicator.levels) == codes, f"{source} {indicator.code}"
            assert all(level["en"].strip() for level in indicator.levels.values())
            assert {"en", "fr", "zh"} <= set(indicator.statement), f"{source} {indicator.code}"


def test_nbs_outcomes_follow_the_adherence_gate() -> None:
    standards, _crosswalks = read_catalog()
    nbs = next(d for d, _s in standards if d.id == "iucn-nbs")
    from weh.standards.scoring import compile_standard

    model = compile_standard(nbs)
    strong = dict.fromkeys(model.indicator_codes, "strong")
    assert model.score(strong).outcome == "adherent"
    one_criterion_low = {
        **strong,
        "1.1": "insufficient",
        "1.2": "insufficient",
        "1.3": "insufficient",
    }
    result = model.score(one_criterion_low)
    assert result.outcome == "not_adherent"
    assert result.gates[0].failing == ("C1",)


def test_uea_stars_count_achieved_actions() -> None:
    standards, _crosswalks = read_catalog()
    uea = next(d for d, _s in standards if d.id == "uea")
    from weh.standards.scoring import compile_standard

    model = compile_standard(uea)
    codes = model.indicator_codes
    for achieved, stars in (
        (21, "three_stars"),
        (18, "three_stars"),
        (17, "two_stars"),
        (12, "two_stars"),
        (11, "one_star"),
        (8, "one_star"),
        (7, "participating"),
    ):
        answers = {
            code: ("achieved" if i < achieved else "in_progress") for i, code in enumerate(codes)
        }
        assert model.score(answers).outcome == stars, achieved
    assert NOT_APPLICABLE  # the scale of the Accords has no N/A; nothing to check beyond this


def test_loading_is_idempotent() -> None:
    first = load_catalog()
    assert sorted(first.created) == [
        "iucn-green-list@1.1",
        "iucn-nbs@1.0",
        "uea@2005",
        "weh-framework@1.0",
    ]
    count = Indicator.objects.count()
    second = load_catalog()
    assert second.created == []
    assert second.updated == []
    assert len(second.unchanged) == 4
    assert Indicator.objects.count() == count
    assert Crosswalk.objects.count() == 3
    assert Indicator.objects.filter(standard_version__standard_id="iucn-nbs").count() == 28


def copy_catalog(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(CATALOG_DIR, target)
    return target


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_an_unused_version_may_change(tmp_path: Path) -> None:
    catalog = copy_catalog(tmp_path)
    load_catalog(directory=catalog)
    edit(catalog / "uea" / "2005.yaml", lambda d: d["title"].update(en="Accords (edited)"))
    report = load_catalog(directory=catalog)
    assert report.updated == ["uea@2005"]
    assert StandardVersion.objects.get(standard_id="uea").title["en"] == "Accords (edited)"


def test_a_used_version_is_immutable(tmp_path: Path, applicant, organisation) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import SubjectFactory
    from weh.assessments.services import start_assessment

    catalog = copy_catalog(tmp_path)
    load_catalog(directory=catalog)
    subject = SubjectFactory(owner=organisation)
    start_assessment(actor=applicant, subject_id=subject.pk, standard="uea@2005")
    edit(catalog / "uea" / "2005.yaml", lambda d: d["title"].update(en="Changed"))
    with pytest.raises(CatalogError, match=r"uea@2005 is used by 1 assessment.*new version"):
        load_catalog(directory=catalog)
    assert StandardVersion.objects.get(standard_id="uea").title["en"] != "Changed"


def test_an_invalid_file_is_named_with_path_and_problem(tmp_path: Path) -> None:
    catalog = copy_catalog(tmp_path)
    edit(
        catalog / "iucn-nbs" / "1.0.yaml",
        lambda d: d["criteria"][1]["indicators"][0].update(weight=0),
    )
    with pytest.raises(CatalogError) as caught:
        read_catalog(catalog)
    message = str(caught.value)
    assert "iucn-nbs/1.0.yaml" in message
    assert "criteria[1].indicators[0].weight" in message
    assert "greater than or equal to 1" in message


def test_file_must_sit_at_its_id_and_version(tmp_path: Path) -> None:
    catalog = copy_catalog(tmp_path)
    edit(catalog / "uea" / "2005.yaml", lambda d: d.update(version="2011"))
    with pytest.raises(CatalogError, match=r"must be stored as uea/2011\.yaml"):
        read_catalog(catalog)


def test_crosswalk_to_unknown_indicator_is_refused(tmp_path: Path) -> None:
    catalog = copy_catalog(tmp_path)
    edit(
        catalog / "crosswalks" / "weh-framework-to-uea.yaml",
        lambda d: d["links"][0].update(target="A99"),
    )
    with pytest.raises(CatalogError, match=r"links\[0\]\.target.*'A99' is not an indicator"):
        read_catalog(catalog)


def test_commands_list_and_show() -> None:
    out = StringIO()
    call_command("standards", "load", stdout=out)
    assert "created: iucn-green-list@1.1, iucn-nbs@1.0, uea@2005, weh-framework@1.0" in (
        out.getvalue()
    )
    out = StringIO()
    call_command("standards", "list", stdout=out)
    assert "iucn-nbs@1.0" in out.getvalue()
    assert "8 criteria, 28 indicators" in out.getvalue()
    out = StringIO()
    call_command("standards", "show", "uea", stdout=out)
    text = out.getvalue()
    assert text.startswith("uea@2005")
    assert "A21" in text
    assert "outcomes: three_stars, two_stars, one_star, participating" in text
