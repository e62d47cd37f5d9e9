"""Benchmark: an organisation's portfolio page with 2,000 assessed subjects.

Target (issue "Standards as data"): server time under 150 ms, and a number of SQL queries that
does not depend on the number of subjects.

    .venv/bin/python bench/portfolio.py [--backend sqlite|postgres] [--subjects 2000] [--runs 20]

Builds a fresh database (SQLite under var/bench/, or the PostgreSQL database weh_bench_portfolio),
loads the catalog, seeds one organisation with N subjects each assessed against the IUCN NbS
standard (answers scored through the real scoring engine, rows written with bulk_create), then
requests /organisations/<id>/portfolio/ in-process as a signed-in applicant: median and p95 server
time over the runs, SQL queries per request, for 10 %, 50 % and 100 % of N subjects.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_URL = "postgres://postgres@127.0.0.1:5432/weh_bench_portfolio"


def prepare_database(backend: str) -> None:
    if backend == "sqlite":
        path = ROOT / "var" / "bench" / "portfolio.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["WEH_DATABASE_URL"] = f"sqlite:///{path}"
    else:
        for sql in (
            "DROP DATABASE IF EXISTS weh_bench_portfolio",
            "CREATE DATABASE weh_bench_portfolio",
        ):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True
            )
        os.environ["WEH_DATABASE_URL"] = PG_URL
    os.environ.setdefault("WEH_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "weh.settings"


def seed(n_subjects: int) -> tuple[int, object]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from weh.accounts.models import Membership, Organisation, User
    from weh.assessments.models import Assessment, Response
    from weh.assessments.services import rescore
    from weh.registry.models import Subject
    from weh.standards.models import StandardVersion
    from weh.standards.services import load_catalog

    load_catalog()
    version = StandardVersion.objects.get(standard_id="iucn-nbs")
    indicators = list(version.indicator_rows.order_by("position"))
    ratings = [r.code for r in version.parsed().rating_scale.ratings]
    owner = Organisation.objects.create(
        name="Zhejiang Provincial Government", type="subnational_government", country="CN"
    )
    user = User.objects.create(username="bench.applicant")
    Membership.objects.create(user=user, organisation=owner, role="applicant")
    rng = random.Random(11)
    subjects = Subject.objects.bulk_create(
        Subject(
            kind="nbs_intervention",
            owner=owner,
            name=f"Wetland restoration site {i:04d}",
            country="CN",
            status="published",
            search_text=f"wetland {i}",
        )
        for i in range(n_subjects)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(subject=s, standard_version=version, owner=owner, coordinator=user)
        for s in subjects
    )
    batch = []
    for assessment in assessments:
        for indicator in indicators:
            batch.append(
                Response(
                    assessment=assessment,
                    indicator=indicator,
                    rating=rng.choice(ratings),
                    justification="Field survey.",
                )
            )
        if len(batch) > 20_000:
            Response.objects.bulk_create(batch)
            batch = []
    Response.objects.bulk_create(batch)
    for assessment in assessments:
        rescore(assessment)
    return owner.pk, user


def measure(owner_id: int, user: object, runs: int) -> tuple[float, float, int, int]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    url = f"/organisations/{owner_id}/portfolio/?sort=-score"
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    # With DEBUG on every query is logged, and each request clears the log as it starts: clear it
    # here too, so that the capture counts this request's queries.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    rows = response.content.count(b"<tr") - 1
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--subjects", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    prepare_database(args.backend)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    started = time.perf_counter()
    owner_id, user = seed(args.subjects)
    print(
        f"{args.backend}: seeded {args.subjects:,} assessed subjects in "
        f"{time.perf_counter() - started:.1f} s"
    )
    from weh.assessments.models import Assessment

    print(f"{'subjects':>9} {'table rows':>10} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    from weh.accounts.models import Organisation

    all_ids = list(Assessment.objects.order_by("pk").values_list("pk", flat=True))
    parking = Organisation.objects.create(name="Elsewhere", type="ngo", country="CN")
    results = []
    for share in (0.1, 0.5, 1.0):
        keep = int(len(all_ids) * share)
        # The other assessments move to another owner for this step, out of the portfolio.
        visible = all_ids[:keep]
        Assessment.objects.filter(pk__in=all_ids[keep:]).update(owner=parking)
        Assessment.objects.filter(pk__in=visible).update(owner_id=owner_id)
        median, p95, queries, rows = measure(owner_id, user, args.runs)
        results.append(queries)
        print(f"{keep:9,} {rows:10,} {median:10.1f} {p95:8.1f} {queries:8}")
    print("queries independent of the number of subjects:", len(set(results)) == 1)


if __name__ == "__main__":
    main()
