"""Benchmark: the stored transparency log on SQLite and PostgreSQL, beside the in-memory core.

Targets (ledger issue): batched stored appends of 100,000 entries at 20,000 entries/s or more
on SQLite; inclusion proofs generated from storage at 10^6 entries at least 5x faster than
pymerkle's in-memory proofs (about 160 µs), i.e. 32 µs or less.

    .venv/bin/python bench/ledger_store.py [--backend sqlite|postgres|both] [--count 100000]
        [--batch 10000] [--singles 2000] [--proof-size 1000000] [--proofs 2000]
        [--pymerkle-proof-size 1000000] [--seed 7] [--wait-quiet 300]

For each backend, in a child process (Django reads its settings once per process):

1. a fresh database (``var/bench/ledger.sqlite3``, or the PostgreSQL database
   ``weh_bench_ledger`` dropped and recreated) and ``migrate``;
2. ``--count`` entries through ``append_entries`` in transactions of ``--batch``: each entry
   validated, encoded as canonical JSON (with its content hash) and hashed, its row and tree
   hashes inserted, the sequencer locked and advanced. Checkpoints are held back here (the task
   backend is the dummy one) and timed apart in step 4;
3. ``--singles`` entries through ``append_entry``, one transaction each, as services call it;
4. one checkpoint over all of them: ``publish_checkpoint`` re-hashes every entry since the last
   checkpoint from its stored text, compares with the stored tree, proves consistency, signs;
5. the tables emptied and the stored hashes of a ``--proof-size`` tree loaded directly (the
   tree built in memory: pushing 10^6 entries through step 2 again measures nothing new), then
   ``--proofs`` random inclusion and consistency proofs generated from storage (one query each,
   through ``selectors.read_hashes``) and checked against the in-memory tree.

The parent times the in-memory core on the same entries (``Tree.extend``, and the proofs of
``bench/merkle.py``) and pymerkle, and prints everything side by side. The machine may be
shared: before each part the script waits (up to ``--wait-quiet`` seconds) until other
processes leave the CPUs idle, as the other benchmarks do (``bench/harness.py``, which also
provides the database and the child processes), and prints the cores they used then.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from harness import BENCH_DIR, ROOT, database_url, fresh_database, run_child, wait_until_quiet

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SQLITE_FILE = BENCH_DIR / "ledger.sqlite3"
PG_BENCH_DB = "weh_bench_ledger"
ORIGIN = "bench.weh.localhost/log"


def child_env(backend: str) -> dict[str, str]:
    from weh.ledger.note import Signer

    env = {k: v for k, v in os.environ.items() if not k.startswith("WEH_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "weh.settings",
            "WEH_DATABASE_URL": database_url(backend, SQLITE_FILE, PG_BENCH_DB),
            "WEH_SECRET_KEY": secrets.token_urlsafe(64),
            "WEH_VAR_DIR": str(BENCH_DIR),
            "WEH_LOG_ORIGIN": ORIGIN,
            "WEH_LOG_KEY": Signer.generate(ORIGIN).skey,
            "WEH_LOG_LEVEL": "ERROR",
        }
    )
    return env


def bench_entries(count: int, seed: int, offset: int = 0) -> list[Any]:
    """Entries shaped like real ones: a reference, a content record, two public facts."""
    from weh.ledger.services import NewEntry

    rng = random.Random(seed)
    levels = ("bronze", "silver", "gold")
    return [
        NewEntry(
            kind="recognition.granted",
            subject=f"recognition:WEH-2025-{offset + i:07d}",
            content={
                "serial": f"WEH-2025-{offset + i:07d}",
                "decision": offset + i,
                "reasons": f"criteria met ({rng.randrange(10**9)})",
            },
            facts={"level": rng.choice(levels), "standard": "iucn-nbs"},
        )
        for i in range(count)
    ]


# --- child: everything that needs Django -----------------------------------------------------


def child_stored(out: Path, args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from weh.ledger import merkle, selectors, services
    from weh.ledger.hashcache import HashCache
    from weh.ledger.models import Checkpoint, LogCounter, LogEntry, LogHash
    from weh.ledger.services import append_entries, append_entry

    call_command("migrate", verbosity=0)
    results: dict[str, Any] = {"vendor": connection.vendor}
    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    with override_settings(TASKS=dummy):
        entries = bench_entries(args.count, args.seed)
        started = time.perf_counter()
        for start in range(0, args.count, args.batch):
            with transaction.atomic():
                append_entries(entries[start : start + args.batch])
        results["bulk_seconds"] = time.perf_counter() - started

        singles = bench_entries(args.singles, args.seed + 1, offset=args.count)
        started = time.perf_counter()
        for e in singles:
            with transaction.atomic():
                append_entry(kind=e.kind, subject=e.subject, content=e.content, facts=e.facts)
        results["single_seconds"] = time.perf_counter() - started

    size = args.count + args.singles
    started = time.perf_counter()
    checkpoint = services.publish_checkpoint()
    results["checkpoint_seconds"] = time.perf_counter() - started
    assert checkpoint is not None
    assert checkpoint.size == size
    tree = merkle.Tree()
    tree.extend(
        t.encode() for t in LogEntry.objects.order_by("index").values_list("text", flat=True)
    )
    results["root_matches"] = bytes(checkpoint.root_hash) == tree.root()

    # Step 5: a tree of --proof-size leaves, its stored hashes loaded straight into the table.
    rng = random.Random(args.seed)
    big = merkle.Tree()
    big.extend(rng.randbytes(96) for _ in range(args.proof_size))
    with transaction.atomic():
        for model in (LogEntry, LogHash, Checkpoint, LogCounter):
            model.objects.all().delete()
    started = time.perf_counter()
    with transaction.atomic():
        hashes = big.read_hashes(list(range(merkle.stored_hash_count(args.proof_size))))
        services._insert(LogHash, ("index", "hash"), enumerate(hashes))
    results["load_seconds"] = time.perf_counter() - started
    # The steady state of a log that grew over time: PostgreSQL's statistics and visibility map
    # up to date, SQLite's write-ahead log folded back into the database file.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE ledger_loghash")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    n = args.proof_size
    indexes = [rng.randrange(n) for _ in range(args.proofs)]
    olds = [rng.randrange(1, n) for _ in range(args.proofs)]
    root = big.root()

    def extends(size: int, root: bytes) -> bool:
        return False

    def timed(make_read: Any, work: list[int], prove: Any, clear: bool = False) -> float:
        started = time.perf_counter()
        for i in work:
            if clear:
                cache.clear()
                cache.anchor_at(n, root, extends)
            prove(i, n, make_read)
        return (time.perf_counter() - started) / len(work) * 1e6

    # No cache: each proof reads exactly the hashes it needs, one query (the figure of a
    # process configured with WEH_LOG_HASH_CACHE_MB=0).
    cache = HashCache(0)
    cache.anchor_at(n, root, extends)
    plain = cache.reader(selectors.fetch_hashes)
    for i in indexes[:50]:  # warm the database's own caches, and check the answers
        assert merkle.inclusion_proof(i, n, plain) == big.inclusion_proof(i)
    for m in olds[:50]:
        assert merkle.consistency_proof(m, n, plain) == big.consistency_proof(m)
    results["incl_nocache_us"] = timed(plain, indexes, merkle.inclusion_proof)
    results["cons_nocache_us"] = timed(plain, olds, merkle.consistency_proof)

    # Cold: an empty cache before every proof, so each reads its leaf's whole block.
    cache = HashCache(args.cache_mb << 20)
    cache.anchor_at(n, root, extends)
    read = cache.reader(selectors.fetch_hashes)
    results["incl_cold_us"] = timed(read, indexes, merkle.inclusion_proof, clear=True)

    # Warming from empty: two proofs in every block (a block is read whole on its second
    # miss), what a process serving proofs all over the log goes through.
    cache.clear()
    cache.anchor_at(n, root, extends)
    warming = [*range(0, n, 256), *range(128, n, 256)]
    results["warm_up_seconds"] = timed(read, warming, merkle.inclusion_proof) * len(warming) / 1e6
    results["cache_mb"] = cache.size_bytes / 2**20
    results["cache_blocks"] = cache.blocks
    results["cache_misses"] = cache.misses
    # Check the answers on other proofs than the timed ones, so that these are not repeats.
    for _ in range(200):
        i, m = rng.randrange(n), rng.randrange(1, n)
        assert merkle.inclusion_proof(i, n, read) == big.inclusion_proof(i)
        assert merkle.consistency_proof(m, n, read) == big.consistency_proof(m)
    misses = cache.misses
    results["incl_us"] = timed(read, indexes, merkle.inclusion_proof)
    results["cons_us"] = timed(read, olds, merkle.consistency_proof)
    results["warm_misses"] = cache.misses - misses
    started = time.perf_counter()
    for i in indexes:
        selectors.read_hashes([merkle.stored_hash_index(0, i)])
    results["one_hash_us"] = (time.perf_counter() - started) / len(indexes) * 1e6
    out.write_text(json.dumps(results))


def run_part(mode: str, backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """One part in a child process of its own, once the machine is quiet: its results."""
    if mode == "stored":
        fresh_database(backend, SQLITE_FILE, PG_BENCH_DB)
    others = wait_until_quiet(args.wait_quiet)
    print(f"  {mode} {backend}: other work used {others:.2f} cores at the start", flush=True)
    out = BENCH_DIR / f"ledger_store-{mode}-{backend}.json"
    passed = [f"--{k.replace('_', '-')}={v}" for k, v in vars(args).items() if k in PASSED]
    result: dict[str, Any] = run_child(__file__, mode, child_env(backend), out, passed)
    return result


PASSED = (
    "count",
    "batch",
    "singles",
    "proof_size",
    "proofs",
    "pymerkle_proof_size",
    "seed",
    "cache_mb",
)


# --- parent: the in-memory core and the report -----------------------------------------------


def child_memory(out: Path, args: argparse.Namespace) -> None:
    import django

    django.setup()
    import merkle as core_bench  # bench/merkle.py

    from weh.ledger.merkle import Tree
    from weh.ledger.services import encode_entry

    entries = bench_entries(args.count, args.seed)
    started = time.perf_counter()
    encoded = [
        encode_entry(kind=e.kind, subject=e.subject, content=e.content, facts=e.facts).encode()
        for e in entries
    ]
    encode_seconds = time.perf_counter() - started
    best = float("inf")
    for _ in range(3):
        tree = Tree()
        started = time.perf_counter()
        tree.extend(encoded)
        best = min(best, time.perf_counter() - started)
    result: dict[str, Any] = {
        "encode_seconds": encode_seconds,
        "extend_seconds": best,
        "entry_bytes": sum(map(len, encoded)) / len(encoded),
        "proofs": core_bench.ours_proofs(args.proof_size, args.proofs, args.seed),
    }
    if core_bench.pymerkle is not None and args.pymerkle_proof_size:
        result["pymerkle"] = core_bench.pymerkle_proofs(
            args.pymerkle_proof_size, max(args.proofs // 4, 100), args.seed
        )
        result["pymerkle_stored"] = pymerkle_stored_proofs(
            args.pymerkle_proof_size, max(args.proofs // 10, 100), args.seed
        )
    out.write_text(json.dumps(result))


def pymerkle_stored_proofs(size: int, proofs: int, seed: int) -> dict[str, float]:
    """pymerkle's ``SqliteTree`` proving from its database, with its own subroot cache (1 GB).

    Its first proofs fill the cache from the leaves; later proofs of other leaves reuse the
    upper subroots but read and hash the leaves of the lower ones again.
    """
    from pymerkle import SqliteTree

    path = BENCH_DIR / "pymerkle.sqlite3"
    path.unlink(missing_ok=True)
    rng = random.Random(seed)
    with SqliteTree(str(path)) as tree:
        tree.append_entries([rng.randbytes(96) for _ in range(size)], chunksize=100_000)

        def per_proof(work: list[int], prove: Any) -> float:
            started = time.perf_counter()
            for i in work:
                prove(i, size)
            return (time.perf_counter() - started) / len(work) * 1e6

        first = [rng.randrange(size) + 1 for _ in range(proofs)]  # pymerkle counts from 1
        later = [rng.randrange(size) + 1 for _ in range(proofs)]
        olds = [rng.randrange(1, size) for _ in range(proofs)]
        result = {
            "incl_first_us": per_proof(first, tree.prove_inclusion),
            "incl_us": per_proof(later, tree.prove_inclusion),
            "cons_us": per_proof(olds, tree.prove_consistency),
        }
    path.unlink(missing_ok=True)
    return result


def report(
    memory: dict[str, Any], stored: dict[str, dict[str, Any]], args: argparse.Namespace
) -> None:
    count = args.count
    backends = list(stored)
    print(
        f"\nAppends: {count:,} entries (canonical JSON, {memory['entry_bytes']:.0f} bytes on "
        f"average), batches of {args.batch:,}; {args.singles:,} single appends"
    )
    header = f"  {'':44} {'seconds':>8} {'entries/s':>11}"
    print(header)

    def row(label: str, seconds: float, n: int = count) -> None:
        print(f"  {label:44} {seconds:8.3f} {n / seconds:11,.0f}")

    row("in memory: encode entries only", memory["encode_seconds"])
    row("in memory: Tree.extend (hashing only)", memory["extend_seconds"])
    row("in memory: encode + Tree.extend", memory["encode_seconds"] + memory["extend_seconds"])
    for backend in backends:
        r = stored[backend]
        row(f"{backend}: append_entries (batched, stored)", r["bulk_seconds"])
        row(f"{backend}: append_entry (1 transaction each)", r["single_seconds"], args.singles)
        row(
            f"{backend}: publish_checkpoint over all {count + args.singles:,}",
            r["checkpoint_seconds"],
            count + args.singles,
        )
        print(
            f"  {backend}: checkpoint root equals the in-memory root: "
            f"{'yes' if r['root_matches'] else 'NO'}"
        )

    proofs = memory["proofs"]
    theirs = memory.get("pymerkle")
    size = args.proof_size
    print(f"\nProofs at {size:,} entries, mean µs over {args.proofs:,} random proofs")
    for backend in backends:
        r = stored[backend]
        print(
            f"  {backend}: {merkle_rows(size):,} stored hashes loaded in "
            f"{r['load_seconds']:.1f} s; one hash by index: {r['one_hash_us']:.1f} µs"
        )
    pym = f"pymerkle at {args.pymerkle_proof_size:,}" if theirs else "pymerkle"
    print(
        f"  {'µs per proof':26} {'in memory':>10} "
        + " ".join(f"{b:>10}" for b in backends)
        + f" {pym:>22}"
    )
    for key, stored_key, label in (
        ("incl_gen", "incl_us", "inclusion: generate"),
        ("cons_gen", "cons_us", "consistency: generate"),
    ):
        cells = " ".join(f"{stored[b][stored_key]:10.1f}" for b in backends)
        other = f"{theirs[key]:22.1f}" if theirs else f"{'n/a':>22}"
        print(f"  {label:26} {proofs[key]:10.1f} {cells} {other}")
    print(f"  {'inclusion: verify':26} {proofs['incl_ver']:10.1f}")
    print("  (stored: through the hash cache once warm; the in-memory column is the pure core)")

    print(f"\nProofs from storage at {size:,} entries, µs per proof, by the state of the cache")
    print(f"  {'':44} " + " ".join(f"{b:>10}" for b in backends))
    for key, label in (
        ("incl_nocache_us", "inclusion, no cache (one query, ~24 rows)"),
        ("incl_cold_us", "inclusion, empty cache (the same query)"),
        ("incl_us", "inclusion, warm cache"),
        ("cons_nocache_us", "consistency, no cache"),
        ("cons_us", "consistency, warm cache"),
    ):
        print(f"  {label:44} " + " ".join(f"{stored[b][key]:10.1f}" for b in backends))
    for backend in backends:
        r = stored[backend]
        print(
            f"  {backend}: warming every block took {r['warm_up_seconds']:.1f} s "
            f"({r['cache_misses']:,} reads); the cache then held {r['cache_blocks']:,} blocks "
            f"in {r['cache_mb']:.1f} MB; "
            f"{r['warm_misses']} reads during the warm runs"
        )
    mine = memory.get("pymerkle_stored")
    if mine:
        print(
            f"  pymerkle SqliteTree at {args.pymerkle_proof_size:,}: inclusion "
            f"{mine['incl_first_us']:,.0f} µs for its first proofs, {mine['incl_us']:,.0f} µs "
            f"once its subroot cache is filled; consistency {mine['cons_us']:,.0f} µs"
        )

    print("\nTargets")
    if "sqlite" in stored:
        rate = count / stored["sqlite"]["bulk_seconds"]
        verdict = "met" if rate >= 20_000 else "NOT met"
        print(f"  SQLite batched append ≥ 20,000 entries/s: {rate:,.0f}/s, {verdict}")
    reference = theirs["incl_gen"] if theirs else 160.0
    source = "in memory, measured" if theirs else "in memory, reference figure"
    for backend in backends:
        for key, state in (("incl_us", "warm cache"), ("incl_cold_us", "empty cache")):
            us = stored[backend][key]
            verdict = "met" if reference / us >= 5 else "NOT met"
            print(
                f"  {backend}, {state}: inclusion proof from storage {us:.1f} µs vs pymerkle "
                f"{reference:.1f} µs ({source}): {reference / us:.1f}x, target 5x {verdict}"
            )
        if mine:
            us = stored[backend]["incl_cold_us"]
            print(
                f"  {backend}, empty cache vs pymerkle SqliteTree with its cache filled "
                f"({mine['incl_us']:,.0f} µs): {mine['incl_us'] / us:.1f}x"
            )


def merkle_rows(size: int) -> int:
    return 2 * size - size.bit_count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--singles", type=int, default=2_000)
    parser.add_argument("--proof-size", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=2_000)
    parser.add_argument("--pymerkle-proof-size", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cache-mb", type=int, default=80, help="hash cache (default WEH_LOG_HASH_CACHE_MB)"
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=300,
        help="before each part, wait up to this many seconds for other work to stop",
    )
    parser.add_argument("--child", choices=("stored", "memory"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child == "stored":
        child_stored(args.out, args)
        return
    if args.child == "memory":
        child_memory(args.out, args)
        return
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    print(f"Stored transparency log; Python {sys.version.split()[0]}")
    stored = {backend: run_part("stored", backend, args) for backend in backends}
    memory = run_part("memory", "sqlite", args)
    report(memory, stored, args)


if __name__ == "__main__":
    main()
