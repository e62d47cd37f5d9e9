"""Benchmark of the public registry of recognitions under a production server.

    .venv/bin/python bench/registry.py [--backend sqlite|postgres|both] [--postgres] [--reuse]
                                       [--requests N] [--requests-304 N] [--concurrency C]
                                       [--worker-class sync|gthread] [--wait-quiet S]

For each database backend (SQLite by default; ``--postgres`` adds PostgreSQL, ``--backend``
chooses), in one run:

1. builds a database (SQLite file under var/bench/, or the PostgreSQL database
   ``weh_bench_registry`` dropped and recreated) with ``weh migrate``, loads the standards of the
   catalog and seeds 20,000 recognitions with bulk_create: 500 organisations, one subject, one
   assessment, one decision and one recognition each, spread over 40 countries (Zipf-like), the
   four standards, their assurance tiers and levels, 85 % active, 8 % suspended, 7 % expired,
   90 % with a position; every certificate signed as the service signs it. ``--reuse`` keeps a
   database seeded by an earlier run (same file or database, same counts). The indexes that the
   registry's "newest first" order needs (``REGISTRY_INDEXES``) are created when the migrations
   have not, and the report says so; the static files are collected (pages are rendered with
   the production storage);
2. starts gunicorn with 2 sync workers (``--worker-class``) on 127.0.0.1 and waits until it
   answers; until weh/core/api.py registers the registry's API router, the served application
   registers it (see ``application``);
3. loads it with ``wrk`` (``apt-get install wrk``; a slower Python client is used when it is
   missing) for the list page, the map document (gzipped, as browsers ask, and uncompressed)
   and the API list, each twice: a plain GET (a full 200 answer) and a conditional GET whose
   If-None-Match holds the current ETag (a 304 answer); each warmed up first, then N requests
   at concurrency C: requests/s, p50 and p99 latency, CPU used per request by the server,
   PostgreSQL and the load generator, and the ratio to the targets (>= 300 requests/s for full
   answers, >= 2,000 for 304s);
4. counts the SQL queries of one request of each case (Django test Client and
   CaptureQueriesContext on the same database) and times each in-process (the WSGI application
   called directly, single-threaded), the map both from its cache and rendered afresh, with the
   bare SQL of the 304 path (the version query) beside them;
5. prints a table of all figures and writes them to var/bench/registry-<backend>.json.

The machine may be shared: before each measurement the script waits (up to --wait-quiet seconds)
until other processes leave the CPUs idle, and it reports the cores they used meanwhile.

The Django work (seeding, counting, timing) runs in child processes of this script, one per
backend, because Django's settings are read once per process. The infrastructure (database,
gunicorn, load generators, CPU accounting) is shared with the other benchmarks in
``bench/harness.py``; the word lists of the seeding come from ``bench/subject_list.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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

import harness
from harness import (
    BENCH_DIR,
    BIN,
    HOST,
    ROOT,
    CpuMeter,
    database_url,
    fetch,
    free_port,
    fresh_database,
    gunicorn,
    load_figures,
    load_wrk,
    measure_load,
    run_child,
    server_env,
    summary_ms,
    wait_until_quiet,
    wsgi_environ,
)
from subject_list import (
    ADJECTIVES,
    COUNTRIES,
    FEATURES,
    ORG_TYPES,
    PLACES,
    SUFFIXES,
    _country_weights,
)

PG_BENCH_DB = "weh_bench_registry"
SQLITE_FILE = BENCH_DIR / "registry.sqlite3"

N_ORGANISATIONS = 500
N_RECOGNITIONS = 20_000
TARGET_FULL_RPS = 300
TARGET_304_RPS = 2_000

# Standard, share of recognitions; kinds follow each standard's applies_to.
STANDARDS = (("weh-framework", 0.3), ("iucn-green-list", 0.25), ("iucn-nbs", 0.3), ("uea", 0.15))
STATUSES = (("active", 0.85), ("suspended", 0.08), ("expired", 0.07))
ASSESSMENT_STATE = {"active": "recognised", "suspended": "suspended", "expired": "expired"}
SERIAL_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# The indexes the registry's "newest first" order needs (proposed for Recognition.Meta.indexes):
# created here when the schema does not have them yet, and said so.
REGISTRY_INDEXES = {
    "recognition_status_newest": ("status", "valid_from", "id"),
    "recognition_newest": ("valid_from", "id"),
}

# (name, path, request headers): each measured as a full answer and as a 304. Requests say they
# accept gzip, as browsers do (only the map is compressed). "map, identity" does not: it moves
# 4 MB per answer, which the load generator itself takes longer to read than the server to send,
# so it is measured for the record and not held to the targets.
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}
CASES = (
    ("list page", "/recognitions/", BROWSER),
    ("map", "/recognitions/map.geojson", BROWSER),
    ("map, identity", "/recognitions/map.geojson", {}),
    ("API list", "/api/v1/recognitions?limit=50", BROWSER),
)


UNTARGETED = "map, identity"


# ------------------------------------------------------------------------------------------------
# The application gunicorn serves, and Django in the child processes.


def _django() -> None:
    """Set Django up in a child process, with the API router served (see ``application``)."""
    import django

    django.setup()
    _serve_router()


def _serve_router() -> None:
    """Until weh/core/api.py registers the registry's router, register it here, before the URLs
    are read, so that the benchmark measures the API list all the same."""
    from weh.core.api import api
    from weh.review.api_public import router

    if not any(registered is router for _prefix, registered in api._routers):
        api.add_router("/recognitions", router)


def application() -> Any:
    """The WSGI application gunicorn serves: Django's, with the router served."""
    from django.core.wsgi import get_wsgi_application

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weh.settings")
    wsgi = get_wsgi_application()
    _serve_router()
    return wsgi


# ------------------------------------------------------------------------------------------------
# Seeding (child process).


def _name(rng: random.Random, kind: str, i: int) -> str:
    place, feature = rng.choice(PLACES), rng.choice(FEATURES)
    name = f"{rng.choice(ADJECTIVES)} {place} {feature} {rng.choice(SUFFIXES[kind])}"
    return f"{name} {i}" if rng.random() < 0.2 else name


def _serials(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add("WEH-" + "".join(rng.choice(SERIAL_ALPHABET) for _ in range(10)))
    return sorted(seen, key=lambda _s: rng.random())


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def child_seed(out: Path) -> None:
    _django()
    from django.db import connection, transaction

    from weh.accounts.models import Organisation, User
    from weh.assessments.models import Assessment
    from weh.registry.models import Subject
    from weh.review.models import Decision, Recognition
    from weh.review.services import sign_certificate
    from weh.standards.models import StandardVersion
    from weh.standards.services import load_catalog

    rng = random.Random(20261124)
    weights = _country_weights()
    started = time.perf_counter()
    load_catalog()
    versions = {v.standard_id: v for v in StandardVersion.objects.order_by("standard_id")}
    definitions = {key: v.parsed() for key, v in versions.items()}
    today = date(2026, 11, 24)
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"{rng.choice(PLACES)} {rng.choice(FEATURES)} Authority {i}",
                    acronym=f"O{i}",
                    type=rng.choice(ORG_TYPES),
                    country=rng.choices(COUNTRIES, weights)[0],
                )
                for i in range(N_ORGANISATIONS)
            ],
            batch_size=500,
        )
        coordinator = User.objects.create_user("bench-coordinator", "coordinator@example.org")
        secretary = User.objects.create_user("bench-secretary", "secretary@example.org")

        plan = []
        for i in range(N_RECOGNITIONS):
            standard = rng.choices([s for s, _w in STANDARDS], [w for _s, w in STANDARDS])[0]
            definition = definitions[standard]
            kind = rng.choice(definition.applies_to)
            status = rng.choices([s for s, _w in STATUSES], [w for _s, w in STATUSES])[0]
            recognisable = [o for o in definition.outcomes if o.recognisable] or definition.outcomes
            plan.append(
                {
                    "standard": standard,
                    "kind": kind,
                    "status": status,
                    "tier": rng.choice(definition.assurance_tiers).code,
                    "level": rng.choice(recognisable[:3]).code,
                    "country": rng.choices(COUNTRIES, weights)[0],
                    "owner": rng.choice(organisations),
                    "name": _name(rng, kind, i),
                    "position": rng.random() < 0.9,
                    "lon": rng.uniform(-170, 170),
                    "lat": rng.uniform(-60, 70),
                    "percent": Decimal(rng.randrange(500, 1000)) / 10,
                    "valid_from": today - timedelta(days=rng.randrange(5 * 365)),
                }
            )
        subjects = Subject.objects.bulk_create(
            [
                Subject(
                    kind=p["kind"],
                    owner=p["owner"],
                    status="published" if rng.random() < 0.95 else "draft",
                    name=p["name"],
                    country=p["country"],
                    search_text=f"{p['name']} {p['country']}".lower(),
                    centroid_lon=p["lon"] if p["position"] else None,
                    centroid_lat=p["lat"] if p["position"] else None,
                )
                for p in plan
            ],
            batch_size=1000,
        )

        def scores(p: dict[str, Any]) -> list[dict[str, Any]]:
            definition = definitions[p["standard"]]
            bands = definition.scoring.bands
            out = []
            for index, criterion in enumerate(definition.all_criteria()):
                value = min(Decimal(100), p["percent"] + (index % 3 - 1) * 4)
                band = next(b.code for b in bands if value >= Decimal(b.min_percent))
                out.append({"code": criterion.code, "percent": str(value), "band": band})
            return out

        counting = {k for k, d in definitions.items() if d.scoring.overall == "count"}
        assessments = Assessment.objects.bulk_create(
            [
                Assessment(
                    subject=subject,
                    standard_version=versions[p["standard"]],
                    owner=p["owner"],
                    coordinator=coordinator,
                    title="",
                    status=ASSESSMENT_STATE[p["status"]],
                    overall_percent=None if p["standard"] in counting else p["percent"],
                    overall_count=rng.randrange(5, 25) if p["standard"] in counting else None,
                    outcome=p["level"],
                    answered=30,
                    applicable=30,
                    criterion_scores=scores(p),
                )
                for p, subject in zip(plan, subjects, strict=True)
            ],
            batch_size=1000,
        )
        decisions = Decision.objects.bulk_create(
            [
                Decision(
                    assessment=assessment,
                    outcome="recognised",
                    tier=p["tier"],
                    level=p["level"],
                    overall_percent=assessment.overall_percent,
                    overall_count=assessment.overall_count,
                    criterion_scores=assessment.criterion_scores,
                    reasons="Two concurring independent reviews; evidence complete and current.",
                    committee="Recognition committee" if p["tier"] == "certified" else "",
                    decided_by=secretary,
                )
                for p, assessment in zip(plan, assessments, strict=True)
            ],
            batch_size=1000,
        )
        recognitions = []
        for p, serial, subject, assessment, decision in zip(
            plan, _serials(rng, N_RECOGNITIONS), subjects, assessments, decisions, strict=True
        ):
            recognition = Recognition(
                serial=serial,
                decision=decision,
                assessment=assessment,
                subject=subject,
                owner=p["owner"],
                standard_version=versions[p["standard"]],
                standard=p["standard"],
                tier=p["tier"],
                level=p["level"],
                overall_percent=assessment.overall_percent,
                overall_count=assessment.overall_count,
                criterion_scores=assessment.criterion_scores,
                status=p["status"],
                valid_from=p["valid_from"],
                valid_until=_add_years(p["valid_from"], 5),
                midterm_check_on=_add_years(p["valid_from"], 2),
                subject_name=subject.name,
                subject_kind=subject.kind,
                country=subject.country,
                latitude=subject.centroid_lat,
                longitude=subject.centroid_lon,
            )
            recognition.certificate = sign_certificate(recognition)
            recognitions.append(recognition)
        Recognition.objects.bulk_create(recognitions, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # What autovacuum does within a minute of a bulk load (statistics, visibility map).
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    out.write_text(json.dumps({"seconds": round(seconds, 2), "counts": _counts()}))


def _counts() -> dict[str, int]:
    from weh.review.models import Recognition

    return {
        "recognitions": Recognition.objects.count(),
        "active": Recognition.objects.filter(status="active").count(),
        "with_position": Recognition.objects.filter(latitude__isnull=False).count(),
        "active_with_position": Recognition.objects.filter(
            status="active", latitude__isnull=False
        ).count(),
        "countries": Recognition.objects.values("country").distinct().count(),
    }


def child_indexes(out: Path) -> None:
    """Create the proposed registry indexes that the migrations have not created, and name the
    ones the model does not declare yet."""
    _django()
    from django.db import connection

    from weh.review.models import Recognition

    table = Recognition._meta.db_table
    with connection.cursor() as cursor:
        existing = set(connection.introspection.get_constraints(cursor, table))
        created = []
        for name, columns in REGISTRY_INDEXES.items():
            if name in existing:
                continue
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"CREATE INDEX {name} ON {table} ({quoted})")
            created.append(name)
        cursor.execute("ANALYZE")
    declared = {index.name for index in Recognition._meta.indexes}
    pending = [name for name in REGISTRY_INDEXES if name not in declared]
    out.write_text(json.dumps({"created": created, "pending": pending}))


def child_count(out: Path) -> None:
    """The counts of an existing database (for --reuse), or an empty dict when it has none."""
    _django()
    from django.db.utils import DatabaseError

    try:
        counts = _counts()
    except DatabaseError:
        counts = {}
    out.write_text(json.dumps({"seconds": 0, "counts": counts}))


# ------------------------------------------------------------------------------------------------
# Query counts and in-process timings (child process).


def child_measure(out: Path, repeats: int) -> None:
    _django()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from weh.review import registry

    app = WSGIHandler()

    def call(path: str, headers: dict[str, str]) -> tuple[str, dict[str, str], bytes]:
        environ = wsgi_environ(path, headers)
        status: list[str] = []
        response_headers: dict[str, str] = {}

        def start(s: str, h: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(s)
            response_headers.update(h)

        body_parts = app(environ, start)
        try:
            body = b"".join(body_parts)
        finally:
            body_parts.close()  # fires request_finished, which closes the connection when due
        return status[0], response_headers, body

    def timed(fn: Any, n: int) -> dict[str, float]:
        for _ in range(min(50, n)):
            fn()
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return summary_ms(times)

    results: dict[str, Any] = {"query_counts": {}, "timings": {}, "sizes": {}}
    for name, path, headers in CASES:
        status, response_headers, body = call(path, headers)
        assert status.startswith("200"), (path, status, body[:300])
        etag = response_headers["ETag"]
        results["sizes"][name] = len(body)
        for mode, extra in (("full", headers), ("304", {**headers, "If-None-Match": etag})):
            # A new client each time: no cookie from an earlier answer changes the ETag.
            with CaptureQueriesContext(connection) as ctx:
                response = Client(HTTP_HOST=HOST).get(path, headers=extra)
            expected = 200 if mode == "full" else 304
            assert response.status_code == expected, (path, mode, response.status_code)
            results["query_counts"][f"{name}, {mode}"] = len(ctx.captured_queries)
            n = repeats if mode == "304" or not name.startswith("map") else max(20, repeats // 5)
            results["timings"][f"{name}, {mode}"] = timed(lambda p=path, e=extra: call(p, e), n)
        connection.close()

    # The first request after a change: every cache by registry version emptied before each.
    def cold(path: str, headers: dict[str, str]) -> Any:
        def run() -> None:
            registry.clear_caches()
            call(path, headers)

        return run

    for name, path, headers in CASES:
        if name == "map, identity":
            continue
        with CaptureQueriesContext(connection) as ctx:
            cold(path, headers)()
        label = f"{name}, full, first after a change"
        results["query_counts"][label] = len(ctx.captured_queries)
        n = max(10, repeats // 50) if name.startswith("map") else max(20, repeats // 5)
        results["timings"][label] = timed(cold(path, headers), n)

    def version_query() -> None:
        registry.registry_version(fresh=True)

    connection.ensure_connection()
    results["timings"]["version query (SQL of a 304)"] = timed(version_query, repeats)
    connection.close()
    out.write_text(json.dumps(results))


# ------------------------------------------------------------------------------------------------
# The Python load generator as this benchmark uses it.


def load_python(
    url: str, headers: dict[str, str], requests: int, concurrency: int, threads: int
) -> dict[str, Any]:
    """``harness.load_python`` (when wrk is missing); 200 and 304 both count as answers."""
    return harness.load_python(
        url,
        headers,
        requests,
        concurrency,
        threads,
        ok_statuses=(200, 304),
        timeout=30,
        connect_early=False,
    )


# ------------------------------------------------------------------------------------------------
# One backend, start to finish.


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(BIN / "weh"), "migrate", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True
    )


def prepare(backend: str, env: dict[str, str], reuse: bool) -> dict[str, Any]:
    if reuse:
        # Migrations added since the database was seeded apply to it as well.
        with contextlib.suppress(subprocess.CalledProcessError):
            migrate(env)
        try:
            found = run_child(__file__, "count", env, BENCH_DIR / f"registry-count-{backend}.json")
        except subprocess.CalledProcessError:
            found = {"counts": {}}
        if found["counts"].get("recognitions") == N_RECOGNITIONS:
            print(f"   reusing the seeded database: {found['counts']}", flush=True)
            return found
        print("   no seeded database to reuse; building one", flush=True)
    fresh_database(backend, SQLITE_FILE, PG_BENCH_DB)
    migrate(env)
    seed = run_child(__file__, "seed", env, BENCH_DIR / f"registry-seed-{backend}.json")
    print(f"   seeded in {seed['seconds']} s: {seed['counts']}", flush=True)
    return seed


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {backend}: database, migrate, seed", flush=True)
    env = server_env(database_url(backend, SQLITE_FILE, PG_BENCH_DB), secrets.token_urlsafe(64))
    # Certificates are signed with the bench's own key (WEH_VAR_DIR/certificate_key): without
    # debug, the settings refuse to make one on the fly.
    _bench_key()
    seed = prepare(backend, env, args.reuse)
    indexes = run_child(__file__, "indexes", env, BENCH_DIR / f"registry-indexes-{backend}.json")
    if indexes["created"]:
        print(
            f"   created the proposed indexes the schema lacks: {', '.join(indexes['created'])}",
            flush=True,
        )
    seed["indexes_not_in_the_model"] = indexes["pending"]
    # Pages are rendered with the production (manifest) static files storage: collect them.
    subprocess.run(
        [str(BIN / "weh"), "collectstatic", "--no-input", "-v", "0"], env=env, cwd=ROOT, check=True
    )

    loader = load_wrk if shutil.which("wrk") and not args.python_client else load_python
    port = free_port()
    load: dict[str, Any] = {}
    print(
        f"== {backend}: gunicorn, {args.workers} {args.worker_class} workers, concurrency "
        f"{args.concurrency} "
        f"({loader.__name__}); {args.requests} full and {args.requests_304} conditional "
        "requests per case",
        flush=True,
    )
    # gunicorn serves ``application`` above: weh.wsgi's, plus the router while it is unwired.
    with gunicorn(
        env,
        port,
        BENCH_DIR / f"gunicorn-registry-{backend}.log",
        args.workers,
        app="registry:application()",
        ready_path="/recognitions/?status=all&page=1",
        pythonpath=Path(__file__).resolve().parent,
        worker_class=args.worker_class,
    ) as server:
        for name, path, headers in CASES:
            status, response_headers = fetch(port, path, headers)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            etag = response_headers["ETag"]
            for mode, extra, requests in (
                ("full", headers, args.requests),
                ("304", {**headers, "If-None-Match": etag}, args.requests_304),
            ):
                status, _headers = fetch(port, path, extra)
                assert status == (200 if mode == "full" else 304), (path, mode, status)
                result, meter = measure_load(
                    loader,
                    server.pid,
                    f"http://{HOST}:{port}{path}",
                    extra,
                    warmup=max(100, requests // 10),
                    requests=requests,
                    concurrency=args.concurrency,
                    threads=args.threads,
                    wait_quiet=args.wait_quiet,
                )
                target = TARGET_FULL_RPS if mode == "full" else TARGET_304_RPS
                if name == UNTARGETED and mode == "full":
                    target = 0
                result.update(
                    target=target,
                    ratio=round(result["rps"] / target, 2) if target else None,
                )
                label = f"{name}, {mode}"
                load[label] = result
                versus = f"x{result['ratio']:.2f} of target {target}" if target else "no target"
                print(
                    f"   {label:<18} {result['rps']:8.0f} req/s ({versus})  "
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
            BENCH_DIR / f"registry-measure-{backend}.json",
            ["--repeats", str(args.repeats)],
        )
    measured["cpu_others"] = round(meter.others, 2)
    result = {
        "backend": backend,
        "seed": seed,
        "load": load,
        "loader": "wrk" if loader is load_wrk else "python",
        **measured,
    }
    (BENCH_DIR / f"registry-{backend}.json").write_text(json.dumps(result, indent=2))
    return result


def _bench_key() -> None:
    path = BENCH_DIR / "certificate_key"
    if not path.is_file():
        import base64

        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(os.urandom(32)).decode() + "\n")
        path.chmod(0o600)


def print_report(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    print("\n" + "=" * 100)
    print(
        f"Public registry: {N_RECOGNITIONS:,} recognitions; gunicorn {args.workers} "
        f"{args.worker_class} workers; "
        f"{args.requests} full / {args.requests_304} conditional requests per case after a "
        f"tenth as many to warm up,\nconcurrency {args.concurrency}; {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    for result in results:
        print(f"\n[{result['backend']}]  load generator: {result['loader']}")
        print(f"  seeded: {result['seed']['counts']}")
        if result["seed"].get("indexes_not_in_the_model"):
            print(
                "  proposed indexes not yet in the model, created by the benchmark: "
                + ", ".join(
                    f"{name} {REGISTRY_INDEXES[name]}"
                    for name in result["seed"]["indexes_not_in_the_model"]
                )
            )
        for name, path, headers in CASES:
            sent = ", ".join(f"{k}: {v}" for k, v in headers.items()) or "no Accept-Encoding"
            print(f"  {name}: GET {path}  ({sent}; {result['sizes'][name]:,} bytes)")
        print(
            f"\n  {'under load':<18}{'req/s':>7}{'target':>8}{'ratio':>7}{'p50 ms':>8}"
            f"{'p99 ms':>8}{'errors':>8}{'app ms':>8}{'db ms':>7}{'client ms':>11}"
            f"{'other cores':>13}"
        )
        for label, load in result["load"].items():
            cpu = load.get("cpu_ms_per_request", {})
            print(
                f"  {label:<18}{load['rps']:7.0f}{load['target'] or '-':>8}"
                f"{load['ratio'] if load['ratio'] is not None else '-':>7}"
                f"{load['p50_ms']:8.1f}{load['p99_ms']:8.1f}{load['errors']:8d}"
                f"{cpu.get('app', 0):8.2f}{cpu.get('database', 0):7.2f}"
                f"{cpu.get('client', 0):11.2f}{load.get('cpu_others', 0):13.2f}"
            )
        print(f"\n  {'in-process, one at a time':<32}{'queries':>8}{'median ms':>11}{'p99 ms':>9}")
        for label, timing in result["timings"].items():
            queries = result["query_counts"].get(label, "")
            print(f"  {label:<32}{queries!s:>8}{timing['median']:11.3f}{timing['p99']:9.3f}")
    print(
        "\n  app, db, client ms: CPU time used during the load by gunicorn and its workers (app),"
        "\n  PostgreSQL (db) and wrk or the Python client (client), divided by the requests."
        "\n  other cores: cores used meanwhile by unrelated work on the machine (ideally 0)."
        "\n  in-process: one request through Django's WSGI handler, single-threaded; 'first"
        "\n  after a change' empties every cache kept by registry version before each request."
    )
    met = all(
        load["rps"] >= load["target"] and load["errors"] == 0
        for result in results
        for load in result["load"].values()
    )
    print(
        f"\n  Targets (>= {TARGET_FULL_RPS} req/s full, >= {TARGET_304_RPS} req/s for 304, no "
        f"errors, in every case but '{UNTARGETED}, full'): {'met' if met else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default=None)
    parser.add_argument(
        "--postgres", action="store_true", help="also PostgreSQL (= --backend both)"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse a seeded database if found")
    parser.add_argument("--requests", type=int, default=2000, help="full requests per case")
    parser.add_argument("--requests-304", type=int, default=6000, help="304 requests per case")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--worker-class",
        default="sync",
        help="gunicorn worker class (sync closes every connection; gthread keeps them alive)",
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--repeats", type=int, default=500, help="in-process repetitions")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=60,
        help="before each case, wait up to this many seconds for other work to stop",
    )
    parser.add_argument(
        "--child", choices=("seed", "count", "indexes", "measure"), help=argparse.SUPPRESS
    )
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "weh.settings")
        sys.path.insert(0, str(ROOT))
    if args.child == "seed":
        child_seed(args.out)
        return
    if args.child == "count":
        child_count(args.out)
        return
    if args.child == "indexes":
        child_indexes(args.out)
        return
    if args.child == "measure":
        child_measure(args.out, args.repeats)
        return

    if not shutil.which("wrk") and not args.python_client:
        print(
            "wrk is not installed (Debian/Ubuntu: sudo apt-get install wrk); using the Python "
            "client, which is itself CPU-bound and shares the cores with the server.",
            file=sys.stderr,
        )
    backend = args.backend or ("both" if args.postgres else "sqlite")
    backends = ("sqlite", "postgres") if backend == "both" else (backend,)
    results = [bench_backend(b, args) for b in backends]
    print_report(results, args)


if __name__ == "__main__":
    main()
