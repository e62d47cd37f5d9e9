"""Infrastructure shared by the benchmarks under bench/ (not a benchmark itself).

    from harness import BENCH_DIR, CpuMeter, gunicorn, load_wrk, ...

The benchmark scripts run with bench/ first on sys.path (``python bench/<script>.py``), and the
gunicorn it starts is given bench/ with ``--pythonpath`` when it serves an application defined
there, so ``harness`` is imported by its bare name. It holds what does not depend on any one
benchmark:

- where things are (``ROOT``, ``BIN``, ``BENCH_DIR``, ``HOST``, ``PG_ADMIN_URL``), the
  database of a run (``database_url``, ``fresh_database``) and the environment of the server
  and of the Django child processes (``server_env``, ``run_child``);
- a WSGI environ for in-process requests (``wsgi_environ``) and the summary of timings
  (``summary_ms``);
- CPU accounting from /proc (``CpuMeter``, ``foreign_load``, ``wait_until_quiet``): the machine
  may be shared, so every figure says how busy it was with other work;
- the production server (``gunicorn``, ``free_port``, ``fetch``), the load generators
  (``load_wrk``, and ``load_python`` when wrk is missing) and one measured load run with the
  CPU it used (``measure_load``, ``load_figures``).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BENCH_DIR = ROOT / "var" / "bench"
PG_ADMIN_URL = os.environ.get(
    "WEH_BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
HOST = "127.0.0.1"


# ------------------------------------------------------------------------------------------------
# Environment shared by `weh migrate`, gunicorn and the Django child processes.


def database_url(backend: str, sqlite_file: Path, pg_database: str) -> str:
    """The URL of the benchmark's database: ``sqlite_file``, or ``pg_database`` on the server
    of ``PG_ADMIN_URL``."""
    if backend == "sqlite":
        return f"sqlite:///{sqlite_file}"
    admin = urlsplit(PG_ADMIN_URL)
    return admin._replace(path=f"/{pg_database}").geturl()


def fresh_database(backend: str, sqlite_file: Path, pg_database: str) -> None:
    """Remove the SQLite file, or drop and recreate the PostgreSQL benchmark database."""
    (BENCH_DIR / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns without it
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{pg_database}"')


BENCH_LOG_ORIGIN = "bench.weh.localhost/log"


def server_env(db_url: str, secret_key: str) -> dict[str, str]:
    """A production-like environment (no debug) with the keys production would be given."""
    from weh.ledger.note import Signer

    env = {k: v for k, v in os.environ.items() if not k.startswith("WEH_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "weh.settings",
            "WEH_DATABASE_URL": db_url,
            "WEH_SECRET_KEY": secret_key,
            "WEH_ALLOWED_HOSTS": HOST,
            "WEH_VAR_DIR": str(BENCH_DIR),
            "WEH_LOG_LEVEL": "WARNING",
            # Seeding writes log entries; without a key no checkpoint could be signed.
            "WEH_LOG_ORIGIN": BENCH_LOG_ORIGIN,
            "WEH_LOG_KEY": Signer.generate(BENCH_LOG_ORIGIN).skey,
        }
    )
    return env


def run_child(
    script: str | Path, mode: str, env: dict[str, str], out: Path, extra: list[str] | None = None
) -> Any:
    """Run ``script --child mode --out out [extra]`` (the calling benchmark, in a child process
    of its own) and return the JSON it wrote to ``out``."""
    cmd = [sys.executable, str(Path(script).resolve()), "--child", mode, "--out", str(out)]
    subprocess.run([*cmd, *(extra or [])], env=env, cwd=ROOT, check=True)
    return json.loads(out.read_text())


# ------------------------------------------------------------------------------------------------
# In-process requests and timings.


class _EmptyInput:
    def read(self, *args: Any) -> bytes:
        return b""

    def readline(self, *args: Any) -> bytes:
        return b""


def wsgi_environ(path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The WSGI environ of a GET of ``path`` (with its query) to HOST, with ``headers``."""
    parts = urlsplit(path)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": HOST,
        "SERVER_PORT": "80",
        "HTTP_HOST": HOST,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": HOST,
        "wsgi.url_scheme": "http",
        "wsgi.input": _EmptyInput(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def summary_ms(seconds: list[float]) -> dict[str, float]:
    """Median, mean and 99th percentile of timings in seconds, in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    return {
        "median": round(statistics.median(ms), 3),
        "mean": round(statistics.fmean(ms), 3),
        "p99": round(ms[int(len(ms) * 0.99) - 1], 3),
    }


# ------------------------------------------------------------------------------------------------
# CPU accounting: the machine may be shared, so every figure says how busy it was with other work.

TICKS = os.sysconf("SC_CLK_TCK")


def _busy_ticks() -> int:
    """user + nice + system time of the whole machine, in clock ticks."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    return int(fields[0]) + int(fields[1]) + int(fields[2])


def _process_ticks(server: int | None) -> dict[str, int]:
    """CPU ticks used so far by the benchmark's processes, in three groups: "app" (the gunicorn
    master ``server`` and its workers), "database" (every PostgreSQL process) and "client" (this
    script and its other children: wrk, the Django child processes).

    Each process counts with its finished children (utime + stime + cutime + cstime), so that a
    PostgreSQL backend or a wrk run that ends during a measurement is not lost."""
    table: dict[int, tuple[str, int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        ticks = sum(int(rest[i]) for i in (11, 12, 13, 14))
        table[int(entry.name)] = (comm, int(rest[1]), ticks)

    def tree(root: int | None) -> set[int]:
        found = {root} if root in table else set()
        while True:
            children = {pid for pid, (_c, ppid, _t) in table.items() if ppid in found} - found
            if not children:
                return found
            found |= children

    app = tree(server)
    database = {pid for pid, (comm, _p, _t) in table.items() if comm == "postgres"}
    client = tree(os.getpid()) - app - database
    return {
        name: sum(table[pid][2] for pid in pids)
        for name, pids in (("app", app), ("database", database), ("client", client))
    }


class CpuMeter:
    """Cores used during a measurement by each part of the benchmark and by everything else."""

    def __init__(self, server: int | None = None) -> None:
        self.server = server

    def __enter__(self) -> CpuMeter:
        self.started = time.monotonic()
        self.busy0, self.parts0 = _busy_ticks(), _process_ticks(self.server)
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self.started
        busy = (_busy_ticks() - self.busy0) / TICKS / self.seconds
        parts = _process_ticks(self.server)
        self.parts = {
            name: (parts[name] - self.parts0[name]) / TICKS / self.seconds for name in parts
        }
        self.ours = sum(self.parts.values())
        self.others = max(0.0, busy - self.ours)

    def ms_per_request(self, requests: int) -> dict[str, float]:
        """CPU milliseconds per request used by each part."""
        return {
            name: round(cores * self.seconds / requests * 1000, 2)
            for name, cores in self.parts.items()
        }


def foreign_load(seconds: float = 2.0) -> float:
    """Cores busy with other work while the benchmark runs nothing (PostgreSQL counts as ours)."""
    with CpuMeter() as meter:
        time.sleep(seconds)
    return meter.others


def wait_until_quiet(max_wait: float, threshold: float = 0.15) -> float:
    deadline = time.monotonic() + max_wait
    load = foreign_load()
    while load > threshold and time.monotonic() < deadline:
        print(f"   the machine is busy with other work ({load:.2f} cores); waiting", flush=True)
        time.sleep(5)
        load = foreign_load()
    return load


# ------------------------------------------------------------------------------------------------
# The production server and the load generators.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def fetch(
    port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, Any]:
    """One GET to the server on ``port``: its status and headers (the body is read, dropped)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        conn.close()


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str],
    port: int,
    log: Path,
    workers: int,
    *,
    app: str = "weh.wsgi:application",
    ready_path: str,
    pythonpath: Path | None = None,
    worker_class: str = "sync",
    ready_timeout: float = 30,
) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn serving ``app`` on HOST:``port`` (``pythonpath`` added to its sys.path), once
    ``ready_path`` answers 200 (each try waits up to ``ready_timeout`` seconds; 60 s in all);
    terminated at the end. Its output goes to ``log``."""
    cmd = [str(BIN / "gunicorn"), app]
    if pythonpath is not None:
        cmd += ["--pythonpath", str(pythonpath)]
    cmd += ["--workers", str(workers), "--worker-class", worker_class, "--bind", f"{HOST}:{port}"]
    with log.open("w") as log_file:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log_file, stderr=log_file)
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"gunicorn exited with {proc.returncode}; see {log}")
                with contextlib.suppress(OSError):
                    status, _headers = fetch(port, ready_path, timeout=ready_timeout)
                    if status == 200:
                        break
                    raise SystemExit(f"gunicorn answered {status}; see {log}")
                if time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}")
                time.sleep(0.2)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


WRK_SCRIPT = """
local limit = %d
local count = 0
response = function(status, headers, body)
  count = count + 1
  if count == limit then
    io.stderr:write("WEH_THREAD_DONE\\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end
done = function(summary, latency, requests)
  io.write(string.format("WEH_RESULT %%d %%d %%d %%d %%d %%d %%d %%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, summary.errors.status, summary.errors.connect + summary.errors.read
      + summary.errors.write, summary.errors.timeout))
end
"""


def load_wrk(
    url: str, headers: dict[str, str], requests: int, concurrency: int, threads: int
) -> dict[str, Any]:
    """wrk stops each thread after its share of requests (a Lua counter). Its main thread sleeps
    for the whole -d duration regardless, so it is interrupted (SIGINT, which wrk handles by
    reporting) as soon as every thread has said it is done."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % max(1, requests // threads))
    try:
        cmd = ["wrk", "-t", str(threads), "-c", str(concurrency), "-d", "600s", "--timeout", "5s"]
        cmd += ["-s", script.name]
        for name, value in headers.items():
            cmd += ["-H", f"{name}: {value}"]
        proc = subprocess.Popen(
            [*cmd, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert proc.stderr is not None
            done = 0
            for line in proc.stderr:
                if line.startswith("WEH_THREAD_DONE"):
                    done += 1
                    if done == threads:
                        proc.send_signal(signal.SIGINT)
                        break
            output, errors = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    finally:
        Path(script.name).unlink()
    if proc.returncode != 0 or "WEH_RESULT" not in output:
        raise SystemExit(f"wrk failed ({proc.returncode}): {output} {errors}")
    line = next(ln for ln in output.splitlines() if ln.startswith("WEH_RESULT"))
    n, duration_us, p50, p99, worst, status_err, socket_err, timeouts = map(int, line.split()[1:])
    return {
        "requests": n,
        "rps": n / (duration_us / 1e6),
        "p50_ms": p50 / 1000,
        "p99_ms": p99 / 1000,
        "max_ms": worst / 1000,
        "errors": status_err + socket_err + timeouts,
    }


def load_python(
    url: str,
    headers: dict[str, str],
    requests: int,
    concurrency: int,
    _threads: int,
    *,
    ok_statuses: Collection[int] = (200,),
    timeout: float = 10,
    connect_early: bool = True,
) -> dict[str, Any]:
    """Threads with http.client (when wrk is missing; ``_threads`` is wrk's and unused);
    reconnects when the server closes (gunicorn sync does).

    An answer whose status is not in ``ok_statuses`` counts as an error. ``connect_early``
    opens each connection before its first request's clock starts; otherwise the request opens
    it, and its latency includes the connection."""
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[float] = []
    errors = [0]

    def worker() -> None:
        conn: http.client.HTTPConnection | None = None
        mine: list[float] = []
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
                    if connect_early:
                        conn.connect()
                t0 = time.perf_counter()
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - t0)
                if response.status not in ok_statuses:
                    errors[0] += 1
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    ms = sorted(x * 1000 for x in latencies)
    return {
        "requests": len(ms),
        "rps": len(ms) / elapsed,
        "p50_ms": statistics.median(ms),
        "p99_ms": ms[max(0, int(len(ms) * 0.99) - 1)],
        "max_ms": ms[-1],
        "errors": errors[0],
    }


Loader = Callable[[str, dict[str, str], int, int, int], dict[str, Any]]


def measure_load(
    loader: Loader,
    server: int,
    url: str,
    headers: dict[str, str],
    *,
    warmup: int,
    requests: int,
    concurrency: int,
    threads: int,
    wait_quiet: float,
) -> tuple[dict[str, Any], CpuMeter]:
    """Wait (up to ``wait_quiet`` seconds) for the machine to be quiet, warm up with ``warmup``
    requests, then load ``url`` with ``requests`` more, metering the CPU of the gunicorn master
    ``server`` and its workers, PostgreSQL and the client. The loader's figures, with the cores
    used and the CPU milliseconds per request, and the meter."""
    quiet = wait_until_quiet(wait_quiet)
    loader(url, headers, warmup, concurrency, threads)
    with CpuMeter(server) as meter:
        result = loader(url, headers, requests, concurrency, threads)
    result.update(
        cpu_ours=round(meter.ours, 2),
        cpu_others=round(meter.others, 2),
        others_before=round(quiet, 2),
        cpu_ms_per_request=meter.ms_per_request(result["requests"]),
    )
    return result, meter


def load_figures(result: dict[str, Any], meter: CpuMeter) -> str:
    """Latency, errors and CPU of a ``measure_load`` run, as the progress lines print them."""
    return (
        f"p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms  "
        f"errors {result['errors']}  cores: benchmark {meter.ours:.2f}, "
        f"other work {meter.others:.2f}; CPU ms per request: "
        + ", ".join(f"{k} {v}" for k, v in result["cpu_ms_per_request"].items())
    )
