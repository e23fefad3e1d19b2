"""Shared pieces of the benchmarks: the bench databases and environment, a gunicorn server on loopback, a
concurrent HTTP load, percentiles and the results files.

Nothing here imports Django: the runner drives several databases (one per scale) from one process, each page
measurement and per-app benchmark running in a child process with its own environment.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
# Server of the bench databases (one per scale: srefop_bench_s1, srefop_bench_s10...). Only PostgreSQL.
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
# Prefix of the bench database names (``<prefix>_s1``, ``<prefix>_base``...): several people benching on one
# PostgreSQL server each take their own (BENCH_DB_PREFIX=srefop_perf_bench).
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "srefop_bench")
# Ports gunicorn may listen on, "first-last" (BENCH_PORTS=8160-8169); empty: any free port the system gives.
PORTS = os.environ.get("BENCH_PORTS", "")
VAR_DIR = Path(os.environ.get("BENCH_VAR_DIR", ROOT / "var" / "bench"))
# A cache key prefix per run and scale: nothing cached by an earlier run (or another scale) is ever served.
RUN_ID = os.environ.get("BENCH_RUN_ID") or time.strftime("%Y%m%d%H%M%S")


def database_name(scale: int) -> str:
    return f"{DB_PREFIX}_s{scale}"


def database_url(scale: int) -> str:
    return f"{SERVER_URL}/{database_name(scale)}"


def environment(scale: int, database: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of every process that touches the bench database of ``scale`` (or ``database``)."""
    var_dir = VAR_DIR / f"s{scale}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "srefop_portal.settings.dev",
        "DJANGO_DEBUG": "0",
        "SREFOP_DEMO_MODE": "1",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": f"{SERVER_URL}/{database}" if database else database_url(scale),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"srefop-bench-{RUN_ID}-s{scale}",
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "SREFOP_VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(VAR_DIR / "media"),  # shared: the scales are copies of one base database
        "SREFOP_BENCH": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


# ---------------------------------------------------------------------------------------------- databases


def _admin():
    import psycopg

    return psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True)


def database_exists(name: str) -> bool:
    with _admin() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_database(name: str, template: str | None = None) -> None:
    """Drop (ending its sessions) and create ``name``, empty or as a copy of ``template``."""
    with _admin() as conn:
        for db in {name, template} - {None}:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [db],
            )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def drop_database(name: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_label(name: str) -> dict:
    """What the generator wrote on the database (COMMENT ON DATABASE): scale, seed, version, counts."""
    with _admin() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return {}


def label_database(name: str, label: dict) -> None:
    from psycopg import sql

    with _admin() as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(json.dumps(label)))
        )


def manage(scale: int, *args: str, database: str | None = None, quiet: bool = True) -> str:
    """``manage.py`` in a child process against the bench database of ``scale`` (or ``database``)."""
    env = environment(scale, database)
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=quiet, text=True)
    if result.returncode:
        sys.stderr.write((result.stdout or "") + (result.stderr or ""))
        raise RuntimeError(f"manage.py {' '.join(args)} a échoué (code {result.returncode})")
    return result.stdout or ""


# ---------------------------------------------------------------------------------------------- measures


def free_port() -> int:
    """A free port on 127.0.0.1: within BENCH_PORTS when set, else any the system gives."""
    if PORTS:
        first, _, last = PORTS.partition("-")
        for port in range(int(first), int(last or first) + 1):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise RuntimeError(f"aucun port libre dans BENCH_PORTS={PORTS}")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 4, threads: int = 1):
    """Serve the portal with gunicorn on 127.0.0.1 (loopback only) for the duration of the block."""
    port = free_port()
    pidfile = Path(env.get("SREFOP_VAR_DIR", ROOT / "var")) / f"bench-gunicorn-{port}.pid"
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "gunicorn", "srefop_portal.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--no-control-socket", "--pid", str(pidfile), "--log-level", "warning", "--timeout", "120",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn s'est arrêté au démarrage (code {process.returncode})")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("gunicorn n'a pas démarré en 90 s")
        yield f"http://127.0.0.1:{port}", port
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    bytes: int = 0
    seconds: float = 0.0
    by_path: dict[str, dict[int, int]] = field(default_factory=dict)

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies_ms, 95)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)

    @property
    def server_errors(self) -> int:
        """5xx responses plus failed requests (refused or reset connections, time-outs)."""
        return sum(count for status, count in self.statuses.items() if status >= 500) + self.errors

    def merge(self, other: LoadResult) -> None:
        """Pool ``other``'s samples into this result (two runs of the same measure)."""
        self.latencies_ms += other.latencies_ms
        for status, count in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + count
        self.errors += other.errors
        self.error_samples = (self.error_samples + other.error_samples)[:5]
        self.bytes += other.bytes
        self.seconds += other.seconds

    def summary(self) -> dict:
        return {
            "requests": len(self.latencies_ms),
            "seconds": round(self.seconds, 1),
            "p50_ms": round(self.p50, 1),
            "p95_ms": round(self.p95, 1),
            "p99_ms": round(self.p99, 1),
            "server_errors": self.server_errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "throughput_rps": round(len(self.latencies_ms) / self.seconds, 1) if self.seconds else None,
        }


def load(
    port: int,
    requests_: list[tuple[str, str]] | list[str],
    *,
    clients: int,
    requests: int | None = None,
    seconds: float | None = None,
    cookie: str = "",
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """``clients`` threads issue GETs on 127.0.0.1:``port``, round-robin over ``requests_`` (paths, or
    (path, cookie) pairs for a mix of roles), until ``requests`` were sent or ``seconds`` passed (whichever first);
    ``headers`` are sent with every request (e.g. HX-Request for a fragment that HTMX polls).
    Connections are re-opened when the server closes them (gunicorn sync workers do)."""
    if requests is None and seconds is None:
        raise ValueError("requests or seconds")
    plan = [(item, cookie) if isinstance(item, str) else item for item in requests_]
    result = LoadResult()
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop_at = time.monotonic() + seconds if seconds else None

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                n = next(counter)
            if requests is not None and n >= requests:
                break
            if stop_at is not None and time.monotonic() >= stop_at:
                break
            path, path_cookie = plan[n % len(plan)]
            request_headers = {"Host": "127.0.0.1", **(headers or {})}
            if path_cookie:
                request_headers["Cookie"] = path_cookie
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=request_headers)
                response = connection.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    result.latencies_ms.append(elapsed)
                    result.statuses[response.status] = result.statuses.get(response.status, 0) + 1
                    per_path = result.by_path.setdefault(path, {})
                    per_path[response.status] = per_path.get(response.status, 0) + 1
                    result.bytes += len(body)
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    result.errors += 1
                    if len(result.error_samples) < 5:
                        result.error_samples.append(f"{path}: {error!r}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


def machine() -> dict:
    load1, load5, load15 = os.getloadavg()
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load_average": [round(load1, 2), round(load5, 2), round(load15, 2)],
    }


def write_results(data: dict, markdown: str | None = None, name: str = "latest") -> tuple[Path, Path | None]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS / f"{name}.json"
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path = None
    if markdown is not None:
        md_path = RESULTS / f"{name}.md"
        md_path.write_text(markdown, encoding="utf-8")
    return json_path, md_path
