"""Real background processes for integration tests: Redis, a Celery worker with embedded beat,
and a TCP proxy in front of Redis that a test can stop and start (the broker going away).

Test modules take the fixtures in by name:

    redis_url, worker = workers.redis_url, workers.worker
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url() -> str:
    """Redis for the worker; unreachable fails the run in CI and skips it elsewhere."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.flushdb()  # no stale tasks from an earlier run
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis op {REDIS_URL} is niet bereikbaar in CI: {exc}")
        pytest.skip(f"Redis op {REDIS_URL} is niet bereikbaar: {exc}")
    return REDIS_URL


def worker_env(database_url: str, broker_url: str, tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of a worker subprocess: the test database, the broker, and overrides."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(16),
        "CELERY_BROKER_URL": broker_url,
        "BPMN_PUBLISH_ON_START": "0",
        "BPMN_DIR": str(tmp_path / "bpmn"),
        "KANSRIJK_INSTANCE_PATH": str(tmp_path / "instance"),  # its own beat lock file, mail folder, bijlagen
        **settings,
    }


class Worker:
    """``celery worker -B`` in its own process group, so a kill takes its pool and beat along."""

    def __init__(self, env: Mapping[str, str], tmp_path: Path, pool: str = "solo", concurrency: int = 1) -> None:
        self.env = dict(env)
        self.log_file = tmp_path / "worker.log"
        self.schedule = tmp_path / "celerybeat-schedule"
        self.pool, self.concurrency = pool, concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            str(ROOT / ".venv" / "bin" / "celery"), "-A", "workflow.worker", "worker", "-B",
            f"--pool={self.pool}", f"--concurrency={self.concurrency}", "--loglevel=INFO",
            "--schedule", str(self.schedule),
        ]  # fmt: skip

    def start(self) -> Worker:
        with self.log_file.open("ab") as log:  # appended: a restarted worker keeps the earlier log
            self.process = subprocess.Popen(
                self.command(), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def kill(self) -> None:
        """SIGKILL to the whole group: no warm shutdown, no acknowledgements, no cleanup."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown first; then kill the whole group, embedded beat included."""
        if self.process is None:
            return
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""


@pytest.fixture
def worker(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[Path]:
    """A Celery worker with embedded beat firing timers every second; yields its log file."""
    env = worker_env(database_url, redis_url, tmp_path, CELERY_TIMER_INTERVAL="1")
    process = Worker(env, tmp_path).start()
    try:
        yield process.log_file
    finally:
        process.stop()


# --- the broker going away -----------------------------------------------------------------
class TcpProxy:
    """127.0.0.1:<port> forwarded to ``target``. ``stop()`` refuses new connections and cuts the
    open ones, as a crashed or unreachable broker would; ``start()`` listens on the same port again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = _free_port()
        self._listener: socket.socket | None = None
        self._running = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def url(self, redis_url: str) -> str:
        """``redis_url`` (same database number) through this proxy."""
        parts = urlsplit(redis_url)
        return urlunsplit((parts.scheme, f"127.0.0.1:{self.port}", parts.path, parts.query, parts.fragment))

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)  # accept() wakes up to notice stop()
        self._listener = listener
        self._running.set()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        self._running.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._running.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:  # one side gone: close both, so the other side notices too
            for conn in (source, sink):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            with self._lock:
                self._open.difference_update((source, sink))


def redis_address(redis_url: str) -> tuple[str, int]:
    parts = urlsplit(redis_url)
    return parts.hostname or "127.0.0.1", parts.port or 6379


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
