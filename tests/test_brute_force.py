"""S8: login attempts are limited per account across two web workers (the delay state is in the
database both share; the per-address limit in Redis)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is niet bereikbaar op {REDIS_URL}")
        pytest.skip("Redis is not running")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _worker(port: int, database_url: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "brute-force-test", "BPMN_PUBLISH_ON_START": "0",
           "RATELIMIT_STORAGE_URI": REDIS_URL, "LOGIN_DELAY_AFTER_FAILURES": "6",
           "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute", "CELERY_BROKER_URL": "memory://",
           "SESSION_COOKIE_SECURE": "0", "KANSRIJK_LOCAL_HTTP": "1"}  # fmt: skip
    command = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--call", "app:create_app"]
    log = (tmp_path / f"worker-{port}.log").open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError(f"web worker on port {port} did not start")


def _attempt(port: int) -> tuple[int, str]:
    session = requests.Session()
    page = session.get(f"http://127.0.0.1:{port}/login", timeout=5).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    data = {"username": "scp", "password": "fout-wachtwoord", "csrf_token": token}
    response = session.post(f"http://127.0.0.1:{port}/login", data=data, timeout=5, allow_redirects=False)
    return response.status_code, response.headers.get("Retry-After", "")


@pytest.mark.integration
def test_login_limit_holds_across_two_workers(app, world, database_url, tmp_path):
    _redis_or_skip()
    redis.Redis.from_url(REDIS_URL).flushdb()
    ports = [_free_port(), _free_port()]
    workers = [_worker(port, database_url, tmp_path) for port in ports]
    try:
        for port in ports:
            _wait(port)
        answers = [_attempt(ports[i % 2]) for i in range(10)]  # alternate between the workers
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=10)
    statuses, retry_after = [a[0] for a in answers], [a[1] for a in answers]
    assert statuses[:6] == [401] * 6
    assert statuses[6:] == [429] * 4  # the 7th attempt is refused, whichever worker gets it
    assert all(0 < int(r) <= 60 for r in retry_after[6:])  # and says when to try again
