"""Benchmark of the subject list endpoint (GET /api/v1/subjects) under a production server.

    .venv/bin/python bench/subject_list.py [--backend sqlite|postgres|both]
                                           [--requests N] [--concurrency C] [--wait-quiet S]

For each database backend, in one run:

1. builds a fresh database (SQLite file under var/bench/, or the PostgreSQL database ``weh_bench``
   dropped and recreated) with ``weh migrate``, and seeds 1,000 organisations and 10,000 subjects
   with bulk_create, plus one applicant member of one organisation with an API token;
2. starts gunicorn with 2 sync workers on 127.0.0.1 and waits until it answers;
3. loads it with ``wrk`` (``apt-get install wrk``; a slower Python client is used when it is
   missing) for anonymous and token-authenticated requests, a filtered list and a text search,
   each warmed up first, then N requests at concurrency C: requests/s, p50 and p99 latency, and
   the CPU used per request by the server, PostgreSQL and the load generator;
4. counts the SQL queries of one request for page sizes 10, 50 and 200 (Django test Client and
   CaptureQueriesContext on the same database), and checks each response against the rendering
   of the same page validated by the response schema;
5. times the bare SQL of one request (the same statements and parameters, replayed with
   connection.cursor) and the whole endpoint in-process (the WSGI application called directly,
   single-threaded) and prints their ratio;
6. prints a table of all figures and writes them to var/bench/subject_list-<backend>.json.

The machine may be shared: before each measurement the script waits (up to --wait-quiet seconds)
until other processes leave the CPUs idle, and it reports the cores they used meanwhile.

The Django work (seeding, counting, timing) runs in child processes of this script, one per
backend, because Django's settings are read once per process. The infrastructure (database,
gunicorn, load generators, CPU accounting) is shared with the other benchmarks in
``bench/harness.py``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from harness import (
    BENCH_DIR,
    BIN,
    HOST,
    ROOT,
    CpuMeter,
    database_url,
    free_port,
    fresh_database,
    gunicorn,
    load_figures,
    load_python,
    load_wrk,
    measure_load,
    run_child,
    server_env,
    summary_ms,
    wait_until_quiet,
    wsgi_environ,
)

SQLITE_FILE = BENCH_DIR / "subject_list.sqlite3"
PG_BENCH_DB = "weh_bench"

N_ORGANISATIONS = 1_000
N_SUBJECTS = 10_000
PAGE_SIZES = (10, 50, 200)


# ------------------------------------------------------------------------------------------------
# Seeding (child process).


def _words(text: str) -> list[str]:
    return text.split()


COUNTRIES = _words(
    "FR DE ES IT GB PT NL BE CH AT SE NO FI DK PL CZ GR IE US CA MX BR AR CL CO PE KR JP CN IN "
    "ID PH VN TH AU NZ ZA KE MA EG"
)
ADJECTIVES = _words(
    "Upper Lower Northern Southern Eastern Western Greater Little Old New Great Blue Green Red "
    "Golden Silver High Deep"
)
PLACES = _words(
    "Kaya Morrow Alder Brisa Calder Dunmore Elston Farrow Galen Harwick Ilsa Jarrow Kestrel "
    "Linden Marrow Nolan Orwell Pellam Quarry Rowan Selby Tarn Ulver Varro Wexley Yarrow Zenith "
    "Arden Belmont Corran Dalby Esker Fenwick Glenmor Hollin Ivers Juno Kirby Lomond Mistral"
)
FEATURES = _words(
    "River Lake Forest Valley Coast Mountain Delta Bay Island Highlands Plain Marsh Gorge Heath "
    "Dunes Reef Lagoon Steppe Fjord Canyon"
)
SUFFIXES = {
    "jurisdiction": ("Province", "District", "County", "Municipality", "Region", "Prefecture"),
    "protected_area": (
        "National Park",
        "Nature Reserve",
        "Marine Protected Area",
        "Wildlife Sanctuary",
        "Biosphere Reserve",
        "Ramsar Site",
    ),
    "nbs_intervention": (
        "Mangrove Restoration",
        "Wetland Restoration",
        "Reforestation Project",
        "Green Corridor",
        "Urban Forest",
        "Floodplain Reconnection",
    ),
}
FRENCH = {"River": "Rivière", "Lake": "Lac", "Forest": "Forêt", "Valley": "Vallée"}
ORG_TYPES = _words(
    "iucn_member national_government subnational_government ngo company academic funder"
)


def _country_weights() -> list[float]:
    # A few countries hold many subjects, most hold a few (a Zipf-like spread).
    return [1 / (rank + 1) ** 0.8 for rank in range(len(COUNTRIES))]


def _geometry(rng: random.Random) -> dict[str, Any]:
    lon, lat = rng.uniform(-170, 170), rng.uniform(-60, 70)
    if rng.random() < 0.2:
        return {
            "geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
            "geometry_kind": "Point",
            "geometry_area_km2": 0.0,
            "centroid_lon": lon,
            "centroid_lat": lat,
            "bbox": [lon, lat, lon, lat],
        }
    size = rng.uniform(0.01, 0.5)
    vertices = 8 + rng.randrange(40)
    ring = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices
        radius = size * rng.uniform(0.7, 1.0)
        ring.append(
            [round(lon + radius * math.cos(angle), 7), round(lat + radius * math.sin(angle), 7)]
        )
    ring.append(ring[0])
    return {
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "geometry_kind": "Polygon",
        "geometry_area_km2": round((size * 111) ** 2 * 3, 6),
        "centroid_lon": lon,
        "centroid_lat": lat,
        "bbox": [lon - size, lat - size, lon + size, lat + size],
    }


def child_seed(out: Path) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from weh.accounts.models import Membership, Organisation, Role, User
    from weh.accounts.services import create_api_token
    from weh.registry.models import Subject
    from weh.registry.services import _search_text

    rng = random.Random(20261123)
    weights = _country_weights()
    started = time.perf_counter()
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{rng.choice(PLACES)} {rng.choice(FEATURES)} {kind} {i}",
                    acronym=f"O{i}",
                    type=rng.choice(ORG_TYPES),
                    country=rng.choices(COUNTRIES, weights)[0],
                )
                for i, kind in enumerate(
                    rng.choice(("Authority", "Trust", "Council", "Foundation", "Agency"))
                    for _ in range(N_ORGANISATIONS)
                )
            ],
            batch_size=500,
        )
        org_ids = [o.pk for o in organisations]
        subjects = []
        for i in range(N_SUBJECTS):
            kind = rng.choices(
                ("jurisdiction", "protected_area", "nbs_intervention"), (0.3, 0.45, 0.25)
            )[0]
            place, feature = rng.choice(PLACES), rng.choice(FEATURES)
            name = f"{rng.choice(ADJECTIVES)} {place} {feature} {rng.choice(SUFFIXES[kind])}"
            if rng.random() < 0.2:
                name = f"{name} {i}"
            names = {"fr": f"{FRENCH[feature]} de {place}"} if feature in FRENCH else {}
            values: dict[str, Any] = {
                "kind": kind,
                "owner_id": rng.choice(org_ids),
                "status": "published" if rng.random() < 0.8 else "draft",
                "name": name,
                "names": names,
                "description": f"{name}. " * rng.randrange(1, 20),
                "country": rng.choices(COUNTRIES, weights)[0],
                "area_km2": Decimal(rng.randrange(1, 10**7)) / 1000,
            }
            if kind == "jurisdiction":
                values.update(
                    subdivision_code=f"{values['country']}-{rng.randrange(1, 99):02d}",
                    admin_level=rng.choice((1, 2, 3)),
                    population=rng.randrange(10_000, 20_000_000),
                )
            elif kind == "protected_area":
                values.update(
                    iucn_category=rng.choice(("Ia", "Ib", "II", "III", "IV", "V", "VI")),
                    governance_type=rng.choice(("government_national", "shared_joint", "")),
                    designation=rng.choice(SUFFIXES["protected_area"]),
                    wdpa_id=rng.randrange(1, 10**9),
                )
            else:
                values.update(
                    societal_challenges=rng.sample(
                        ["climate_change", "disaster_risk", "water_security", "food_security"],
                        2,
                    ),
                    ecosystems=rng.sample(["forest", "wetland", "mangrove", "urban"], 2),
                    start_date=date(2015, 1, 1) + timedelta(days=rng.randrange(3650)),
                    budget=Decimal(rng.randrange(10_000, 50_000_000)),
                    budget_currency=rng.choice(("EUR", "USD", "KRW")),
                )
            if rng.random() < 0.4:
                values.update(_geometry(rng))
            values["search_text"] = _search_text(values)
            subjects.append(Subject(**values))
        Subject.objects.bulk_create(subjects, batch_size=500)

        # The token's owner: an applicant of an organisation owning subjects, drafts included,
        # in the country and kind of the filtered request.
        country, kind = COUNTRIES[0], "protected_area"
        owner_id = (
            Subject.objects.filter(country=country, kind=kind, status="draft")
            .values_list("owner_id", flat=True)
            .first()
        )
        user = User.objects.create_user("bench-applicant", "bench@example.org")
        Membership.objects.create(user=user, organisation_id=owner_id, role=Role.APPLICANT)
        _token, full_token = create_api_token(actor=user, name="benchmark")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does within a minute of a bulk load (statistics, visibility map).
            cursor.execute("VACUUM ANALYZE")
    seconds = time.perf_counter() - started
    counts = {
        "organisations": Organisation.objects.count(),
        "subjects": Subject.objects.count(),
        "published": Subject.objects.filter(status="published").count(),
        "with_geometry": Subject.objects.filter(geometry__isnull=False).count(),
        "countries": Subject.objects.values("country").distinct().count(),
    }
    out.write_text(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "counts": counts,
                "token": full_token,
                "cases": [
                    {
                        "name": "filtered",
                        "path": f"/api/v1/subjects?limit=50&country={country}&kind={kind}",
                    },
                    {"name": "text search", "path": "/api/v1/subjects?limit=50&q=river"},
                ],
            }
        )
    )


# ------------------------------------------------------------------------------------------------
# Query counts and in-process timings (child process).


def _with_limit(path: str, limit: int) -> str:
    parts = urlsplit(path)
    query = dict(parse_qsl(parts.query))
    query["limit"] = str(limit)
    return f"{parts.path}?{urlencode(query)}"


def child_measure(out: Path, seed: dict[str, Any], repeats: int) -> None:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    token = seed["token"]
    auth_modes = {"anonymous": {}, "token": {"Authorization": f"Bearer {token}"}}
    client = Client(HTTP_HOST=HOST)
    # First use of the token records last_used_at (a write at most once a minute): do it now.
    client.get(seed["cases"][0]["path"], headers=auth_modes["token"])

    from django.test import RequestFactory
    from ninja.responses import NinjaJSONEncoder

    from weh.accounts.services import authenticate_token
    from weh.core.api_paging import Page, paginate
    from weh.registry import selectors
    from weh.registry.api import SubjectSummary, _summary_rows

    users = {"anonymous": None, "token": authenticate_token(token)}

    def schema_rendering(path: str, auth: str) -> bytes:
        """The page as ninja renders it after validating it against the response schema (what
        the endpoint returned before it rendered its rows directly)."""
        request = RequestFactory().get(path)
        params = request.GET
        qs = selectors.list_subjects(
            user=users[auth],
            country=params.get("country"),
            kind=params.get("kind"),
            text=params.get("q"),
        )
        page = paginate(request, qs, limit=int(params["limit"]), offset=0, rows=_summary_rows)
        validated = Page[SubjectSummary].model_validate(page)
        return json.dumps(validated.model_dump(), cls=NinjaJSONEncoder).encode()

    results: dict[str, Any] = {"query_counts": {}, "timings": {}, "sql": {}}
    for auth, headers in auth_modes.items():
        for case in seed["cases"]:
            counts = {}
            for size in PAGE_SIZES:
                path = _with_limit(case["path"], size)
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(path, headers=headers)
                assert response.status_code == 200, (path, response.status_code, response.content)
                assert len(response.json()["results"]) == min(size, response.json()["count"])
                assert response.content == schema_rendering(path, auth), path
                counts[str(size)] = len(ctx.captured_queries)
            results["query_counts"][f"{auth}, {case['name']}"] = counts

    app = WSGIHandler()

    def call(path: str, headers: dict[str, str]) -> bytes:
        environ = wsgi_environ(path, headers)
        status: list[str] = []
        body_parts = app(environ, lambda s, h, exc_info=None: status.append(s))
        try:
            body = b"".join(body_parts)
        finally:
            body_parts.close()  # fires request_finished, which closes the connection when due
        assert status[0].startswith("200"), (status, body[:500])
        return body

    for auth, headers in auth_modes.items():
        for case in seed["cases"]:
            label = f"{auth}, {case['name']}"
            # The statements and parameters of one request, exactly as sent to the driver.
            statements: list[tuple[str, Any]] = []

            def record(execute, sql, params, many, context, statements=statements):  # type: ignore[no-untyped-def]
                statements.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record):
                call(case["path"], headers)
            selects = [(s, p) for s, p in statements if s.lstrip().upper().startswith("SELECT")]
            results["sql"][label] = [s % tuple(_quote(v) for v in (p or ())) for s, p in selects]

            for _ in range(50):
                call(case["path"], headers)
            endpoint = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                call(case["path"], headers)
                endpoint.append(time.perf_counter() - t0)

            def bare(selects: list[tuple[str, Any]] = selects) -> float:
                t0 = time.perf_counter()
                with connection.cursor() as cursor:
                    for sql, params in selects:
                        cursor.execute(sql, params)
                        cursor.fetchall()
                return time.perf_counter() - t0

            connection.ensure_connection()
            for _ in range(50):
                bare()
            bare_times = [bare() for _ in range(repeats)]
            # The count and page queries alone (the last two): what the list itself needs.
            list_only = selects[-2:]
            list_times = [bare(list_only) for _ in range(repeats)]
            connection.close()
            results["timings"][label] = {
                "endpoint_ms": summary_ms(endpoint),
                "bare_sql_ms": summary_ms(bare_times),
                "bare_list_sql_ms": summary_ms(list_times),
                "statements": len(selects),
            }
    out.write_text(json.dumps(results))


def _quote(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


# ------------------------------------------------------------------------------------------------
# One backend, start to finish.


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {backend}: fresh database, migrate, seed", flush=True)
    db_url = database_url(backend, SQLITE_FILE, PG_BENCH_DB)
    env = server_env(db_url, secrets.token_urlsafe(64))
    fresh_database(backend, SQLITE_FILE, PG_BENCH_DB)
    subprocess.run(
        [str(BIN / "weh"), "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True
    )
    seed = run_child(__file__, "seed", env, BENCH_DIR / f"seed-{backend}.json")
    print(f"   seeded in {seed['seconds']} s: {seed['counts']}", flush=True)

    loader = load_wrk if shutil.which("wrk") and not args.python_client else load_python
    port = free_port()
    load: dict[str, Any] = {}
    print(
        f"== {backend}: gunicorn, {args.workers} sync workers, {args.requests} requests "
        f"per case at concurrency {args.concurrency} ({loader.__name__})",
        flush=True,
    )
    with gunicorn(
        env,
        port,
        BENCH_DIR / f"gunicorn-{backend}.log",
        args.workers,
        ready_path="/api/v1/subjects?limit=1",
        ready_timeout=5,
    ) as server:
        for auth in ("anonymous", "token"):
            headers = {"Authorization": f"Bearer {seed['token']}"} if auth == "token" else {}
            for case in seed["cases"]:
                result, meter = measure_load(
                    loader,
                    server.pid,
                    f"http://{HOST}:{port}{case['path']}",
                    headers,
                    warmup=args.warmup,
                    requests=args.requests,
                    concurrency=args.concurrency,
                    threads=args.threads,
                    wait_quiet=args.wait_quiet,
                )
                load[f"{auth}, {case['name']}"] = result
                print(
                    f"   {auth + ', ' + case['name']:<26} {result['rps']:8.0f} req/s  "
                    + load_figures(result, meter),
                    flush=True,
                )

    print(f"== {backend}: query counts and in-process timings", flush=True)
    wait_until_quiet(args.wait_quiet)
    with CpuMeter() as meter:
        measured = run_child(
            __file__,
            "measure",
            env,
            BENCH_DIR / f"measure-{backend}.json",
            ["--seed", str(BENCH_DIR / f"seed-{backend}.json"), "--repeats", str(args.repeats)],
        )
    measured["cpu_others"] = round(meter.others, 2)
    print(f"   other work during the in-process timings: {meter.others:.2f} cores", flush=True)
    result = {
        "backend": backend,
        "seed": {k: v for k, v in seed.items() if k != "token"},
        "load": load,
        "loader": "wrk" if loader is load_wrk else "python",
        **measured,
    }
    (BENCH_DIR / f"subject_list-{backend}.json").write_text(json.dumps(result, indent=2))
    return result


def print_report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print("\n" + "=" * 100)
    print(
        f"Subject list endpoint: {N_SUBJECTS:,} subjects, {N_ORGANISATIONS:,} organisations; "
        f"gunicorn {args.workers} sync workers;\n{args.requests} requests per case after "
        f"{args.warmup} to warm up, concurrency {args.concurrency}; {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    for result in results:
        print(f"\n[{result['backend']}]  load generator: {result['loader']}")
        for case in result["seed"]["cases"]:
            print(f"  {case['name']}: GET {case['path']}")
        print(
            f"\n  {'under load':<26}{'req/s':>7}{'p50 ms':>8}{'p99 ms':>8}{'errors':>8}"
            f"{'app ms':>8}{'db ms':>7}{'client ms':>11}{'other cores':>13}"
        )
        for label, load in result["load"].items():
            cpu = load.get("cpu_ms_per_request", {})
            print(
                f"  {label:<26}{load['rps']:7.0f}{load['p50_ms']:8.1f}{load['p99_ms']:8.1f}"
                f"{load['errors']:8d}{cpu.get('app', 0):8.2f}{cpu.get('database', 0):7.2f}"
                f"{cpu.get('client', 0):11.2f}{load.get('cpu_others', 0):13.2f}"
            )
        print(
            f"\n  {'in-process, one at a time':<26}{'queries at 10/50/200':>21}{'endpoint ms':>13}"
            f"{'SQL ms':>8}{'ratio':>7}{'count+page SQL ms':>19}{'ratio':>7}"
        )
        for label, timing in result["timings"].items():
            counts = "/".join(str(result["query_counts"][label][str(n)]) for n in PAGE_SIZES)
            endpoint = timing["endpoint_ms"]["median"]
            bare = timing["bare_sql_ms"]["median"]
            list_sql = timing["bare_list_sql_ms"]["median"]
            print(
                f"  {label:<26}{counts:>21}{endpoint:13.2f}{bare:8.2f}{endpoint / bare:7.1f}"
                f"{list_sql:19.2f}{endpoint / list_sql:7.1f}"
            )
    print(
        "\n  app, db, client ms: CPU time used during the load by gunicorn and its workers (app),"
        "\n  PostgreSQL (db) and wrk or the Python client (client), divided by the requests."
        "\n  other cores: cores used meanwhile by unrelated work on the machine (ideally 0)."
        "\n  endpoint ms: median time of one request through Django's WSGI handler, in-process."
        "\n  SQL ms: median time of the same SELECT statements replayed with connection.cursor;"
        "\n  count+page: those two statements only (without token and membership look-ups)."
        "\n  ratio: endpoint ms / SQL ms."
    )
    target = all(
        load["rps"] >= 400 and load["p99_ms"] < 50 and load["errors"] == 0
        for result in results
        for load in result["load"].values()
    )
    verdict = "met" if target else "NOT met"
    print(f"\n  Target (>= 400 req/s and p99 < 50 ms in every case): {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=5000, help="requests per case")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument("--warmup", type=int, default=500, help="warm-up requests per case")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--repeats", type=int, default=1000, help="in-process repetitions")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=120,
        help="before each case, wait up to this many seconds for other work to stop",
    )
    parser.add_argument("--child", choices=("seed", "measure"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weh.settings")
    if args.child == "seed":
        child_seed(args.out)
        return
    if args.child == "measure":
        child_measure(args.out, json.loads(args.seed.read_text()), args.repeats)
        return

    if not shutil.which("wrk") and not args.python_client:
        print(
            "wrk is not installed (Debian/Ubuntu: sudo apt-get install wrk); using the Python "
            "client, which is itself CPU-bound and shares the cores with the server.",
            file=sys.stderr,
        )
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    results = [bench_backend(backend, args) for backend in backends]
    print_report(results, args)


if __name__ == "__main__":
    main()
